import { Command } from "commander";
import type { CliContext } from "../common/context.js";

export function doctorCommand(ctx: CliContext): Command {
  return new Command("doctor")
    .description("check the Docker daemon, builder, platforms, credentials and the project's registries (reads only)")
    .option("--json", "print the checks as one JSON document")
    .addHelpText(
      "after",
      "\nChecks the daemon (address, how it was found, version), the builder a build gets, the platforms it can run\n" +
        "(its own and those emulated through binfmt_misc), the credential sources and helpers, and, in a project, each\n" +
        "registry it pushes to or pulls base and job images from (reachable, accepting the credentials). No secret is shown.\n" +
        "Exit 0 when all is well, 1 when a check found a problem (each printed with its fix).\n" +
        "\nExamples:\n  $ runner-kit doctor\n  $ runner-kit doctor --json | jq '.checks[] | select(.status == \"problem\")'\n",
    )
    .action(async (options: { json?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<{ config?: string }>();
      const { runDoctor } = await import("../doctor/command.js");
      // -c defaults to runner-kit.yaml: only a -c given on the command line names a file that must exist.
      const given = command.parent?.getOptionValueSource("config") === "cli";
      await runDoctor(ctx, { ...(given && globals.config !== undefined ? { configFile: globals.config } : {}), ...(options.json ? { json: true } : {}) });
    });
}
