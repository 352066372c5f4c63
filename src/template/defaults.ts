import { join } from "node:path";
import { z } from "zod";
import { mergeValues, type Values } from "./values.js";
import { schemaError, schemaProblems } from "../common/schema-errors.js";
import { parseYamlSource } from "../common/yaml-source.js";
import { DEFAULTS_FILE } from "./lookup.js";
import type { TemplateStore } from "./template-store.js";

const defaultsSchema = z
  .object({
    description: z.string().optional(),
    values: z.record(z.string(), z.unknown()).optional(),
    args: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
  })
  .strict();

export interface TemplateDefaults {
  values: Values;
  args: Record<string, string>;
}

/**
 * A template's defaults: every `<dir>/<template>/defaults.yaml` in the chain, merged so
 * that the first directory (the team overlay) wins over the built-ins.
 */
export function templateDefaults(store: TemplateStore, dirs: readonly string[], template: string): Promise<TemplateDefaults> {
  return store.memo(`defaults\0${template}\0${dirs.join("\0")}`, () => readDefaults(store, dirs, template));
}

async function readDefaults(store: TemplateStore, dirs: readonly string[], template: string): Promise<TemplateDefaults> {
  const layers: TemplateDefaults[] = [];
  for (const dir of dirs) {
    const file = join(dir, template, DEFAULTS_FILE);
    const text = await store.text(file);
    if (text === undefined) continue;
    const source = parseYamlSource(file, text);
    const parsed = defaultsSchema.safeParse(source.data ?? {});
    if (!parsed.success) throw schemaError(source, schemaProblems(source, defaultsSchema, parsed.error.issues));
    layers.push({ values: parsed.data.values ?? {}, args: parsed.data.args ?? {} });
  }
  layers.reverse();
  return {
    values: mergeValues(...layers.map((l) => l.values)),
    args: Object.assign({}, ...layers.map((l) => l.args)) as Record<string, string>,
  };
}
