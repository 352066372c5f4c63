import { Command } from "commander";
import type { CliContext } from "../common/context.js";

export function lintCommand(ctx: CliContext): Command {
  return new Command("lint")
    .description("check rendered Dockerfiles against rules that matter for runner images")
    .argument("[image...]", "images to lint (default: all)")
    .option("--team <team>", "lint only this team's variants")
    .option("--json", "print one JSON document on stdout")
    .addHelpText("after", "\nExamples:\n  $ runner-kit lint\n  $ runner-kit lint runner-aws --json\n\nExit 1 when a rule with severity error fails; ignore one rule on one instruction with\na `# runner-kit ignore=DL3015` (or `# hadolint ignore=…`) comment on the line above it.\n")
    .action(async (images: string[], _options: unknown, command: Command) => {
      const { runLint } = await import("../lint/command.js");
      const opts = command.optsWithGlobals<{ config?: string; team?: string; json?: boolean }>();
      await runLint(ctx, { ...opts, images });
    });
}
