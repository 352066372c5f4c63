import { isAbsolute, resolve } from "node:path";
import { formatWhere } from "../common/errors.js";
import type { YamlSource } from "../common/yaml-source.js";
import type { VariantCache, VariantSecret } from "./plan.js";
import type { ProjectFile } from "./schema.js";

/**
 * A variant's build secrets: the image's, then the team's (the same id: the team's wins).
 * File paths resolve from the project file's folder; each secret remembers where it is
 * written, for the error when its file or variable is missing. Values are never read here.
 */
export function variantSecrets(project: ProjectFile, source: YamlSource, rootDir: string, image: string, team?: string): Record<string, VariantSecret> | undefined {
  const layers: [string[], Record<string, { file?: string; env?: string }> | undefined][] = [
    [["images", image, "secrets"], project.images[image]?.secrets],
    ...(team === undefined ? [] : [[["teams", team, "secrets"], project.teams?.[team]?.secrets] as [string[], Record<string, { file?: string; env?: string }> | undefined]]),
  ];
  const out: Record<string, VariantSecret> = {};
  for (const [path, secrets] of layers) {
    for (const [id, entry] of Object.entries(secrets ?? {})) {
      const where = `${formatWhere(source.locateKey([...path, id]))} (${path.join(".")}.${id})`;
      if (entry.file !== undefined) out[id] = { file: isAbsolute(entry.file) ? entry.file : resolve(rootDir, entry.file), where };
      else if (entry.env !== undefined) out[id] = { env: entry.env, where };
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A variant's registry cache: the team's keys over the image's; undefined when neither sets one. */
export function variantCache(project: ProjectFile, image: string, team?: string): VariantCache | undefined {
  const own = project.images[image]?.cache;
  const teams = team === undefined ? undefined : project.teams?.[team]?.cache;
  if (own === undefined && teams === undefined) return undefined;
  return { from: teams?.from ?? own?.from ?? [], inline: teams?.inline ?? own?.inline ?? false };
}
