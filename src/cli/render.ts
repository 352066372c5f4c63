import { Command } from "commander";
import type { CliContext } from "./context.js";
import { collect } from "./options.js";
import { notImplemented } from "./not-implemented.js";

export function renderCommand(_ctx: CliContext): Command {
  return new Command("render")
    .description("render Dockerfiles from the project's templates (deterministic, committed)")
    .argument("[image...]", "images to render (default: all)")
    .option("--team <team>", "render only this team's variants")
    .option("--out <dir>", "output directory", "images")
    .option("--check", "exit 1 with a diff when committed Dockerfiles differ from a fresh render")
    .option("--set <key=value>", "override a template value (repeatable)", collect, [])
    .option("--plan", "print the resolved plan instead of rendering")
    .option("--json", "print one JSON document on stdout")
    .addHelpText("after", "\nExamples:\n  $ runner-kit render\n  $ runner-kit render runner-aws --team data --set packages=jq\n  $ runner-kit render --check    # CI drift check\n")
    .action(() => notImplemented("render"));
}
