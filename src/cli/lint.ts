import { Command } from "commander";
import type { CliContext } from "../common/context.js";

export function lintCommand(ctx: CliContext): Command {
  return new Command("lint")
    .description("check rendered Dockerfiles against rules that matter for runner images")
    .argument("[image...]", "images to lint (default: all)")
    .option("--team <team>", "lint only this team's variants")
    .option("--format <format>", "tty, json, gitlab (Code Quality report) or sarif (SARIF 2.1.0)")
    .option("--json", "print one JSON document on stdout (same as --format json)")
    .option("-o, --output <file>", "write the report to this file instead of stdout")
    .option("--hadolint-config <file>", "lint configuration in hadolint's format (default: .hadolint.yaml beside the project file)")
    .addHelpText(
      "after",
      "\nExamples:\n  $ runner-kit lint\n  $ runner-kit lint runner-aws --json\n  $ runner-kit lint --format gitlab --output gl-code-quality-report.json\n  $ runner-kit lint --format sarif > lint.sarif\n\n" +
        "Reads .hadolint.yaml beside the project file (ignored, failure-threshold, override, trustedRegistries).\n" +
        "Exit 1 when a finding is at or above failure-threshold (default: error); ignore one rule on one\n" +
        "instruction with a `# runner-kit ignore=DL3015` (or `# hadolint ignore=…`) comment on the line above it.\n",
    )
    .action(async (images: string[], _options: unknown, command: Command) => {
      const { runLint } = await import("../lint/command.js");
      const opts = command.optsWithGlobals<{ config?: string; team?: string; json?: boolean; format?: string; output?: string; hadolintConfig?: string }>();
      await runLint(ctx, { ...opts, images });
    });
}
