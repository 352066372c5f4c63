import type { ImageClient } from "../builder/image-client.js";
import { daemonErrorText } from "../engine/daemon-error.js";
import { repositoryAccess } from "../push/registry-access.js";
import { mapLimit } from "../common/map-limit.js";
import { findLocal, registryUpToDate } from "./detect.js";
import { decidePlatforms } from "./platform-dry-run.js";
import type { BuildDeps, BuildOptions, PreparedVariant } from "./types.js";
import type { DryRunRow } from "./dry-run-row.js";

export type { DryRunRow } from "./dry-run-row.js";

const short = (hash: string) => hash.replace(/^sha256:/, "").slice(0, 12);

async function decide(p: PreparedVariant, images: ImageClient, deps: BuildDeps, options: BuildOptions): Promise<DryRunRow> {
  const row = { id: p.variant.id, repository: p.variant.repository, tags: p.variant.tags, contentHash: p.contentHash };
  if (p.platforms) return decidePlatforms(p, row, images, deps, options);
  const local = options.force ? undefined : await findLocal(images, p);
  const build = options.force ? "--force rebuilds it" : local ? undefined : `no local image has its content hash ${short(p.contentHash)}`;
  if (!options.push) return build ? { ...row, action: "build", reason: build } : { ...row, action: "up-to-date", reason: `local image ${short(local!.id)} has its content hash` };
  let inRegistry: string | undefined;
  try {
    inRegistry = options.force ? undefined : await registryUpToDate(await repositoryAccess(p.variant.repository, deps), p);
  } catch (error) {
    return { ...row, action: build ? "build" : "up-to-date", push: true, reason: `the registry cannot be checked (${daemonErrorText(error)}); the push would be tried` };
  }
  if (inRegistry) return { ...row, action: "up-to-date", push: false, reason: `every tag in the registry has its content hash (${short(inRegistry)})` };
  const push = `the registry's tags do not all have its content hash`;
  return build ? { ...row, action: "build", push: true, reason: `${build}; ${push}` } : { ...row, action: "up-to-date", push: true, reason: `local image ${short(local!.id)} has its content hash; ${push}` };
}

/**
 * `build --dry-run`: for every prepared variant, whether it would be built (and pushed),
 * or is up to date, with the reason — asked of the daemon and (with --push) the registry,
 * read only: nothing is built, tagged, pushed or written.
 */
export function dryRun(prepared: PreparedVariant[], images: ImageClient, deps: BuildDeps, options: BuildOptions): Promise<DryRunRow[]> {
  return mapLimit(prepared, 8, (p) => decide(p, images, deps, options));
}

/** The dry run as a table: image, tags, what would happen, why. */
export function dryRunTable(rows: DryRunRow[]): string {
  const table = [["IMAGE", "TAGS", "WOULD", "WHY"], ...rows.map((r) => [r.repository, r.tags.join(","), r.action === "build" ? (r.push ? "build, push" : "build") : r.push ? "push" : "nothing", r.reason])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return `${table.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd()).join("\n")}\n`;
}
