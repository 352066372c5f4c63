import { Command } from "commander";
import type { CliContext } from "../common/context.js";

export function schemaCommand(ctx: CliContext): Command {
  return new Command("schema")
    .description("print the JSON Schema of runner-kit.yaml (for editors: completion and checking as you type)")
    .option("--out <file>", "write it to FILE instead of stdout")
    .addHelpText("after", "\nExamples:\n  $ runner-kit schema --out runner-kit.schema.json\n  $ runner-kit schema | jq '.properties | keys'\n")
    .action(async (options: { out?: string }) => {
      const { runSchema } = await import("../project/schema-command.js");
      await runSchema(ctx, options);
    });
}
