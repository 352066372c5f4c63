import { Command } from "commander";
import type { CliContext } from "../common/context.js";
import { collect } from "./options.js";

export function renderCommand(ctx: CliContext): Command {
  return new Command("render")
    .description("render Dockerfiles from the project's templates (deterministic, committed)")
    .argument("[image...]", "images to render (default: all)")
    .option("--team <team>", "render only this team's variants")
    .option("--out <dir>", "output directory (default: images/ beside runner-kit.yaml)")
    .option("--check", "exit 1 with a diff when committed Dockerfiles differ from a fresh render")
    .option("--set <key=value>", "override a template value (repeatable)", collect, [])
    .option("--plan", "print the resolved plan instead of rendering")
    .option("--json", "print one JSON document on stdout")
    .addHelpText("after", "\nExamples:\n  $ runner-kit render\n  $ runner-kit render job-base --team data --set packages=jq\n  $ runner-kit render --check    # CI drift check\n  $ runner-kit render --plan --json\n")
    .action(async (images: string[], _options: unknown, command: Command) => {
      const { runRender } = await import("../render/command.js");
      const opts = command.optsWithGlobals<{ config?: string; team?: string; out?: string; check?: boolean; set: string[]; plan?: boolean; json?: boolean }>();
      await runRender(ctx, { ...opts, images });
    });
}
