import { Command } from "commander";
import type { CliContext } from "./context.js";
import { notImplemented } from "./not-implemented.js";

export function ciCommand(_ctx: CliContext): Command {
  return new Command("ci")
    .description("generate a GitLab CI child pipeline with one job per image variant")
    .option("--out <file>", "where to write the pipeline", "runner-kit.pipeline.yml")
    .option("--team <team>", "only this team's variants")
    .option("--changed-since <ref>", "leave out images whose inputs did not change since this git ref")
    .addHelpText("after", "\nExample:\n  $ runner-kit ci --out child.yml --changed-since origin/main\n")
    .action(() => notImplemented("ci"));
}
