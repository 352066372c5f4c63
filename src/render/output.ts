import { readdir } from "node:fs/promises";
import { readExisting } from "../common/read-existing.js";
import { join, relative, resolve } from "node:path";
import type { Plan, Variant } from "../project/plan.js";
import { hasGeneratedHeader } from "./header.js";

/**
 * Where a variant's Dockerfile goes: its planned path (images/<image>/Dockerfile,
 * images/<team>/<image>/Dockerfile), or the same layout under --out DIR.
 */
export function outputPath(plan: Plan, variant: Variant, outDir?: string): string {
  if (outDir === undefined) return variant.dockerfile;
  return join(outDir, relative(join(plan.rootDir, "images"), variant.dockerfile));
}

/** The output directory that holds every planned Dockerfile. */
export function outputRoot(plan: Plan, outDir?: string): string {
  return outDir ?? join(plan.rootDir, "images");
}

/**
 * Dockerfiles under `root` (up to images/<team>/<image>/Dockerfile) that runner-kit
 * generated but the plan no longer produces: left over from a removed image or team.
 */
export async function staleDockerfiles(root: string, planned: ReadonlySet<string>): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && depth < 2) await walk(path, depth + 1);
      else if (entry.isFile() && entry.name === "Dockerfile" && !planned.has(resolve(path))) {
        const text = await readExisting(path);
        if (text !== undefined && hasGeneratedHeader(text)) found.push(path);
      }
    }
  };
  await walk(root, 0);
  return found;
}
