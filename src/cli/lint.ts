import { Command } from "commander";
import type { CliContext } from "./context.js";
import { notImplemented } from "./not-implemented.js";

export function lintCommand(_ctx: CliContext): Command {
  return new Command("lint")
    .description("check rendered Dockerfiles against rules that matter for runner images")
    .argument("[image...]", "images to lint (default: all)")
    .option("--team <team>", "lint only this team's variants")
    .option("--json", "print one JSON document on stdout")
    .addHelpText("after", "\nExample:\n  $ runner-kit lint runner-aws --json\n")
    .action(() => notImplemented("lint"));
}
