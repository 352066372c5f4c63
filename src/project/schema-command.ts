import { resolve } from "node:path";
import { say, type CliContext } from "../common/context.js";
import { writeFileAtomic } from "../common/atomic-write.js";
import { projectJsonSchemaText } from "./json-schema.js";

/** `runner-kit schema [--out FILE]`: the JSON Schema of runner-kit.yaml. */
export async function runSchema(ctx: CliContext, options: { out?: string }): Promise<void> {
  const text = projectJsonSchemaText();
  if (options.out === undefined) {
    ctx.stdout.write(text);
    return;
  }
  const path = resolve(ctx.cwd, options.out);
  await writeFileAtomic(path, text);
  say(ctx, `wrote ${options.out}`);
}
