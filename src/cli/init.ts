import { Command } from "commander";
import type { CliContext } from "./context.js";
import { notImplemented } from "./not-implemented.js";

export function initCommand(_ctx: CliContext): Command {
  return new Command("init")
    .description("scaffold a runner-kit project: runner-kit.yaml, a team overlay, a smoke job")
    .argument("[dir]", "directory to create the project in", ".")
    .option("--force", "overwrite files that already exist")
    .addHelpText("after", "\nExample:\n  $ runner-kit init platform-images && cd platform-images && runner-kit render\n")
    .action(() => notImplemented("init"));
}
