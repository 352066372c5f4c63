import { Command } from "commander";
import type { CliContext } from "../common/context.js";

export function lockCommand(ctx: CliContext): Command {
  const lock = new Command("lock").description("work with runner-kit.lock");
  lock
    .command("merge")
    .description("merge lock fragments written by parallel `build --lock-out` jobs into one lock")
    .argument("<fragment...>", "lock fragments")
    .option("--out <file>", "the lock to update", "runner-kit.lock")
    .addHelpText("after", "\nExample:\n  $ runner-kit lock merge locks/*.lock --out runner-kit.lock\n")
    .action(async (fragments: string[], opts: { out: string }) => {
      const { runLockMerge } = await import("../lock/command.js");
      await runLockMerge(ctx, fragments, opts);
    });
  lock.addHelpText("after", "\nExample:\n  $ runner-kit lock merge locks/*.lock --out runner-kit.lock\n");
  return lock;
}
