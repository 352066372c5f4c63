import { Command } from "commander";
import type { CliContext } from "../common/context.js";
import { collect } from "./options.js";

export function ciCommand(ctx: CliContext): Command {
  return new Command("ci")
    .description("generate a GitLab CI child pipeline with one job per image variant")
    .option("--out <file>", "where to write the pipeline", "runner-kit.pipeline.yml")
    .option("--team <team>", "only this team's variants")
    .option("--changed-since <ref>", "leave out images whose inputs did not change since this git ref")
    .option("--build-arg <key=value>", "pass a build arg to the jobs of the variants whose Dockerfile declares it (repeatable)", collect, [])
    .option("--platform <platforms>", "every job builds its image for these platforms (comma list, repeatable) under one OCI index; overrides platforms: in runner-kit.yaml", collect, [])
    .addHelpText("after", "\nExamples:\n  $ runner-kit ci --out child.yml\n  $ runner-kit ci --out child.yml --changed-since origin/main --build-arg GITLAB_RUNNER_VERSION=v17.3.0\n")
    .action(async (_opts: unknown, command: Command) => {
      const { runCi } = await import("../pipeline/command.js");
      await runCi(ctx, command.optsWithGlobals());
    });
}
