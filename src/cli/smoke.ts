import { Command, Option } from "commander";
import type { CliContext } from "../common/context.js";
import type { SmokeCliOptions } from "../smoke/command.js";
import { collect } from "./options.js";

export function smokeCommand(ctx: CliContext): Command {
  return new Command("smoke")
    .description("run a .gitlab-ci.yml job with its services inside an image, as the Docker executor would")
    .option("--image <ref>", "the image to test (overrides the job's image)")
    .option("--job <file[#job]>", "the job to run (default: the project's smoke: setting for --image, else the built-in runner image job)")
    .option("--runner-config <file>", "apply a gitlab-runner config.toml's runner (default: the project's runner section for the image)")
    .option("--runner <name>", "with --runner-config: the [[runners]] entry to apply (needed when it has several)")
    .option("--emulate-privileged", "where this host refuses privileged containers: give them every capability it has instead")
    .option("--services-timeout <seconds>", "how long to wait for services (default 30; -1: do not wait)")
    .option("--strict-services", "fail the job when a service does not become ready")
    .option("--timeout <duration>", "job timeout (default: the job's timeout:, else 1h)")
    .option("--platform <platform>", "pull and run the job image for this platform, e.g. linux/arm64 (foreign platforms under emulation); overrides the job's image:docker:platform")
    .option("--pull-policy <policy>", "always | if-not-present | never, when the job sets none (default if-not-present)")
    .option("--variable <KEY[=VALUE]>", "a CI/CD variable for the job, above the job file's (repeatable; KEY alone takes its value from the environment)", collect, [])
    .option("--env-file <file>", "CI/CD variables from a dotenv file (KEY=VALUE lines; --variable wins)")
    .option("--project-dir <dir>", "the project copied to /builds/<namespace>/<project> (default: the current directory)")
    .option("--junit <file>", "write a JUnit report")
    .option("--reap", "only remove resources left behind by earlier, killed runs")
    .option("--json", "print one JSON document on stdout")
    .addOption(new Option("--progress <mode>", "the job log's colour: auto (under GITLAB_CI or on a terminal), tty and gitlab (coloured), plain (none); NO_COLOR wins").choices(["auto", "tty", "plain", "gitlab"]).default("auto"))
    .addHelpText(
      "after",
      "\nExamples:\n  $ runner-kit smoke --image registry.example.com/platform/runner-aws:latest\n  $ runner-kit smoke --image app:dev --job smoke/job-base.gitlab-ci.yml#smoke --junit smoke.xml\n  $ runner-kit smoke --reap\n",
    )
    .action(async (_opts: SmokeCliOptions, command: Command) => {
      const actionAt = performance.now();
      const { smoke } = await import("../smoke/command.js");
      await smoke(ctx, command.optsWithGlobals<SmokeCliOptions>(), { actionAt });
    });
}
