import { Command, Option } from "commander";
import type { CliContext } from "../common/context.js";
import { tracedCommand, traceMark } from "../common/trace.js";
import { collect, collectBuildArg } from "./options.js";

export function buildCommand(ctx: CliContext): Command {
  return new Command("build")
    .description("build (and push, and smoke-test) the project's images through the Docker Engine API")
    .argument("[image...]", "images to build (default: all)")
    .option("--team <team>", "build only this team's variants")
    .option("--build-arg <key[=value]>", "set a build arg (repeatable); NAME alone takes NAME's value from the environment", collectBuildArg(ctx.env), [])
    .option("--set <key=value>", "override a template value (repeatable)", collect, [])
    .option("--target <stage>", "build up to this stage")
    .option("--push", "push every tag and record digests in runner-kit.lock")
    .option("--no-teams", "build only the base variants, not the teams' (one CI job per variant)")
    .option("--smoke", "run each image's smoke job after building it; a failed job fails the image")
    .option("--junit <file>", "with --smoke: write the smoke jobs' JUnit report")
    .option("--variable <KEY[=VALUE]>", "with --smoke: a CI/CD variable for the smoke jobs (repeatable; KEY alone takes its value from the environment)", collect, [])
    .option("--env-file <file>", "with --smoke: CI/CD variables for the smoke jobs from a dotenv file (--variable wins)")
    .option("--locked", "fail when runner-kit.lock is stale (and leave it unchanged)")
    .option("--lock-out <file>", "write this run's lock entries to FILE (a fragment for parallel CI jobs) instead of runner-kit.lock")
    .option("--force", "rebuild images that are up to date")
    .option("--dry-run", "say which images would be built, pushed or are up to date, and why; build and write nothing")
    .option("--no-cache", "do not use the build cache")
    .option("--pull", "always pull newer base images")
    .option("--secret <id=ID,src=FILE|env=VAR>", "a build secret for RUN --mount=type=secret,id=ID, from a file or an environment variable (repeatable; docker's forms)", collect, [])
    .option("--ssh <default|id[=socket]>", "forward an SSH agent to RUN --mount=type=ssh: default (or an id) is the agent in SSH_AUTH_SOCK, id=SOCKET another agent's socket (repeatable; BuildKit only)", collect, [])
    .option("--cache-from <ref>", "an image whose layers the build may reuse, e.g. the last pushed tag (repeatable)", collect, [])
    .option("--cache-inline", "write BuildKit's inline cache metadata into the images, for a later --cache-from")
    .option("--platform <platforms>", "build for these platforms (comma list, repeatable; e.g. linux/amd64,linux/arm64): one image per platform under an OCI image index; overrides platforms: in runner-kit.yaml", collect, [])
    .option("--push-platform <platform>", "a platform job of a multi-platform image: build and push only this platform, by digest, moving no tag; needs --lock-out (the fragment --push-index reads)")
    .option("--push-index <dir>", "the index job of a multi-platform image: build nothing; check each platform image the lock fragments in DIR record, push the OCI index, then move every tag")
    .addOption(new Option("--builder <builder>", "the daemon's builder (default: the project's builder:, else BuildKit where the daemon has it)").choices(["buildkit", "classic"]))
    .option("--jobs <n>", "images built at once", "2")
    .addOption(new Option("--progress <mode>", "progress on stderr: auto (a live view on a terminal, plain lines in CI, sections under GITLAB_CI), tty, plain or gitlab").choices(["auto", "tty", "plain", "gitlab"]).default("auto"))
    .option("--json", "print one JSON document on stdout")
    .addHelpText(
      "after",
      "\nExamples:\n  $ runner-kit build\n  $ runner-kit build job-base --team data --push --smoke\n  $ runner-kit build --build-arg GITLAB_RUNNER_VERSION=v17.3.0 --json\n  $ runner-kit build --push --dry-run\n" +
        "  $ runner-kit build --secret id=npmrc,src=.npmrc --cache-from registry.example.com/platform/runner-aws:latest\n  $ runner-kit build runner-aws --platform linux/amd64,linux/arm64 --push\n",
    )
    .action(async (images: string[], _opts: unknown, command: Command) => {
      // RUNNER_KIT_TRACE=1: the phases of the build, printed at the end (common/trace.ts).
      await tracedCommand("build", ctx, async () => {
        traceMark("build: argv parsed");
        const { runBuildCommand } = await import("../bake/command.js");
        await runBuildCommand(ctx, { ...command.optsWithGlobals(), images }).finally(() => traceMark("build: end"));
      });
    });
}
