import { z } from "zod";
import { projectSchema } from "./schema.js";

/** Where the package ships the schema, and what `init` points editors at from a project. */
export const SCHEMA_FILE = "schema/runner-kit.schema.json";
export const SCHEMA_MODELINE = `# yaml-language-server: $schema=./node_modules/runner-kit/${SCHEMA_FILE}`;

/**
 * The JSON Schema (draft 2020-12) of runner-kit.yaml, generated from the zod schema the loader
 * checks with, for editors (completion, hover, checking as you type). Rules across keys — a
 * team naming an image that does not exist, a template that is not there — are checked by
 * runner-kit only.
 */
export function projectJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(projectSchema, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, title: "runner-kit.yaml", description: "The runner-kit project file: images, teams and the gitlab-runner section.", ...rest };
}

/** The schema as the package ships it: two-space JSON, one trailing newline. */
export function projectJsonSchemaText(): string {
  return `${JSON.stringify(projectJsonSchema(), null, 2)}\n`;
}
