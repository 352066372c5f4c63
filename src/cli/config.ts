import { Command } from "commander";
import type { CliContext } from "./context.js";
import { notImplemented } from "./not-implemented.js";

export function configCommand(_ctx: CliContext): Command {
  return new Command("config")
    .description("write gitlab-runner config.toml, the registration template and Docker config.json")
    .option("--team <team>", "write only this team's runner configuration")
    .option("--out <dir>", "output directory", "runner")
    .option("--json", "print a summary (secrets redacted) as one JSON document")
    .addHelpText("after", "\nExample:\n  $ runner-kit config --team data --out runner/\n")
    .action(() => notImplemented("config"));
}
