import { join } from "node:path";
import { configError } from "../common/errors.js";
import { didYouMean } from "../common/nearest.js";
import type { TemplateStore } from "./template-store.js";

/**
 * Template layout, the same in every directory of the lookup chain (team overlay →
 * project templates → built-in templates/):
 *
 *   <dir>/<template>/Dockerfile.hbs   the template
 *   <dir>/<template>/<section>.hbs    a partial: overrides the section of that name
 *   <dir>/<template>/defaults.yaml    default values and build args
 *
 * The first directory that has a file wins, file by file: a team overlay that holds one
 * partial overrides that section and nothing else.
 */
export const MAIN_FILE = "Dockerfile.hbs";
export const DEFAULTS_FILE = "defaults.yaml";
const PARTIAL = /^([A-Za-z0-9][A-Za-z0-9_-]*)\.hbs$/;

export interface ResolvedTemplate {
  name: string;
  /** The Dockerfile.hbs that is used. */
  file: string;
  /** Section name → the partial file that overrides it (first in the chain). */
  partials: Map<string, string>;
}

export async function resolveTemplate(store: TemplateStore, dirs: readonly string[], name: string): Promise<ResolvedTemplate> {
  let file: string | undefined;
  const partials = new Map<string, string>();
  for (const dir of dirs) {
    const entries = await store.list(join(dir, name));
    if (file === undefined && entries.includes(MAIN_FILE)) file = join(dir, name, MAIN_FILE);
    for (const entry of entries) {
      const section = PARTIAL.exec(entry)?.[1];
      if (section && entry !== MAIN_FILE && !partials.has(section)) partials.set(section, join(dir, name, entry));
    }
  }
  if (file === undefined) throw await unknownTemplate(store, dirs, name);
  return { name, file, partials };
}

/** Names of the templates found anywhere in the chain. */
export async function availableTemplates(store: TemplateStore, dirs: readonly string[]): Promise<string[]> {
  const names = new Set<string>();
  for (const dir of dirs) {
    for (const entry of await store.list(dir)) {
      if ((await store.list(join(dir, entry))).includes(MAIN_FILE)) names.add(entry);
    }
  }
  return [...names].sort();
}

async function unknownTemplate(store: TemplateStore, dirs: readonly string[], name: string) {
  const known = await availableTemplates(store, dirs);
  return configError(`template "${name}" not found: no ${name}/${MAIN_FILE} in ${dirs.join(", ")}${didYouMean(name, known)}`, {
    where: name,
    hint: known.length > 0 ? `available templates: ${known.join(", ")}` : "create the template or use a built-in one (runner-aws, job-base)",
  });
}
