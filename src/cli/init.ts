import { Command } from "commander";
import type { CliContext } from "../common/context.js";

export function initCommand(ctx: CliContext): Command {
  return new Command("init")
    .description("scaffold a runner-kit project: runner-kit.yaml, a team overlay, smoke jobs")
    .argument("[dir]", "directory to create the project in", ".")
    .option("--force", "overwrite files that already exist")
    .addHelpText("after", "\nExample:\n  $ runner-kit init platform-images && cd platform-images && runner-kit render && runner-kit lint\n")
    .action(async (dir: string, options: { force?: boolean }) => {
      const { runInit } = await import("../init/command.js");
      await runInit(ctx, { dir, force: options.force });
    });
}
