import { Command } from "commander";
import type { CliContext } from "../common/context.js";

export function configCommand(ctx: CliContext): Command {
  return new Command("config")
    .description("write gitlab-runner config.toml, the registration template and Docker config.json")
    .option("--team <team>", "write only this team's runner configuration")
    .option("--out <dir>", "output directory", "runner")
    .option("--json", "print a summary (secrets redacted) as one JSON document")
    .option("--check", "write nothing; exit 1 with a diff when the files in --out are stale")
    .addHelpText(
      "after",
      "\nWrites <out>/config.toml (0600), <out>/register/template.toml + register.sh and <out>/docker/config.json.\n" +
        "Registry passwords come from the variables or files named in runner-kit.yaml (password_env, password_file);\n" +
        "runner tokens only from the environment (RUNNER_TOKEN, or runner.token_env).\n" +
        "\nExamples:\n  $ runner-kit config\n  $ REGISTRY_PASSWORD=… runner-kit config --team data --out runner/\n  $ runner-kit config --json\n  $ runner-kit config && runner-kit config --check    # CI: the committed files are current\n",
    )
    .action(async (options: { team?: string; out: string; json?: boolean; check?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<{ config?: string }>();
      const { runConfigCommand } = await import("../runner/command.js");
      await runConfigCommand(ctx, { configFile: globals.config, team: options.team, out: options.out, json: options.json, check: options.check });
    });
}
