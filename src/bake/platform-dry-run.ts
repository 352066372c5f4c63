import type { ImageClient } from "../builder/image-client.js";
import { daemonErrorText } from "../engine/daemon-error.js";
import { repositoryAccess } from "../push/registry-access.js";
import type { DryRunRow } from "./dry-run-row.js";
import { detectPlatforms } from "./platform-detect.js";
import type { BuildDeps, BuildOptions, PreparedVariant } from "./types.js";

/** `--dry-run` for a multi-platform variant: which platforms would be built, and whether the index would be pushed. Read only. */
export async function decidePlatforms(p: PreparedVariant, row: Omit<DryRunRow, "action" | "reason">, images: ImageClient, deps: BuildDeps, options: BuildOptions): Promise<DryRunRow> {
  const platforms = p.platforms!.map((t) => t.platform);
  if (options.force) return { ...row, action: "build", ...(options.push ? { push: !options.pushPlatform } : {}), reason: `--force rebuilds ${platforms.join(", ")}` };
  let access;
  try {
    access = options.push ? await repositoryAccess(p.variant.repository, deps) : undefined;
  } catch (error) {
    return { ...row, action: "build", push: true, reason: `the registry cannot be checked (${daemonErrorText(error)}); the push would be tried` };
  }
  const found = await detectPlatforms(p, images, access, true, options.pushPlatform !== undefined);
  if (found.remote) {
    const what = options.pushPlatform ? `an index that has the ${platforms[0]} image with its content hash` : `an index of ${platforms.join(", ")} with their content hashes`;
    return { ...row, action: "up-to-date", push: false, reason: `every tag in the registry points at ${what}` };
  }
  if (options.pushIndex) return { ...row, action: "up-to-date", push: true, reason: `nothing is built: the index would be assembled from the platform images the fragments in ${options.pushIndex.from} record, and every tag moved to it` };
  const missing = platforms.filter((platform) => !found.local[platform]);
  const build = missing.length > 0 ? `no local image has the content hash of ${missing.join(", ")}` : undefined;
  // A platform job pushes its image by digest: no tag moves (push: false).
  const push = options.pushPlatform ? `; it would be pushed by digest, no tag moved` : options.push ? "; the registry's tags do not point at an index of these images" : "";
  const moves = options.push && !options.pushPlatform;
  return build
    ? { ...row, action: "build", ...(options.push ? { push: moves } : {}), reason: `${build}${push}` }
    : { ...row, action: "up-to-date", ...(options.push ? { push: moves } : {}), reason: `local images of ${platforms.join(", ")} have their content hashes${push}` };
}
