import { Command } from "commander";
import type { CliContext } from "../common/context.js";
import { collect } from "./options.js";

export function ciCommand(ctx: CliContext): Command {
  return new Command("ci")
    .description("generate a GitLab CI child pipeline with one job per image variant; with --run, run a pipeline on the local Docker Engine")
    .option("--out <file>", "where to write the pipeline", "runner-kit.pipeline.yml")
    .option("--team <team>", "only this team's variants")
    .option("--changed-since <ref>", "leave out images whose inputs did not change since this git ref")
    .option("--build-arg <key=value>", "pass a build arg to the jobs of the variants whose Dockerfile declares it (repeatable)", collect, [])
    .option("--platform <platforms>", "every job builds its image for these platforms (comma list, repeatable) under one OCI index; overrides platforms: in runner-kit.yaml", collect, [])
    .option("--run [file]", "run the pipeline here, each job as GitLab Runner's Docker executor runs it: FILE (a .gitlab-ci.yml), else the one just generated")
    .option("--jobs <n>", "with --run: jobs run at once (default: twice the number of CPU cores)")
    .option("--variable <KEY[=VALUE]>", "with --run: a CI/CD variable for every job (repeatable; KEY alone takes its value from the environment)", collect, [])
    .option("--runner-config <file>", "with --run: a gitlab-runner config.toml whose runner settings every job gets, as smoke --runner-config")
    .option("--runner <name>", "with --run --runner-config: the [[runners]] entry to apply (needed when it has several)")
    .option("--emulate-privileged", "with --run: where this host refuses privileged containers (a docker:dind service), give them every capability it has instead")
    .option("--artifacts-dir <dir>", "with --run: keep each job's artifacts and reports in DIR/<job>/")
    .option("--junit <file>", "with --run: write a JUnit report with one test case per job")
    .addHelpText(
      "after",
      "\nExamples:\n  $ runner-kit ci --out child.yml\n  $ runner-kit ci --out child.yml --changed-since origin/main --build-arg GITLAB_RUNNER_VERSION=v17.3.0\n" +
        "  $ runner-kit ci --run --junit pipeline.xml\n  $ runner-kit ci --run .gitlab-ci.yml --jobs 2 --variable CI_REGISTRY=registry.example.com --artifacts-dir artifacts\n",
    )
    .action(async (_opts: unknown, command: Command) => {
      const { runCiCommand } = await import("../pipeline/run/entry.js");
      await runCiCommand(ctx, command.optsWithGlobals());
    });
}
