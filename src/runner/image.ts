import { configError } from "../common/errors.js";
import { pinnedReference, type LockFile } from "../lock/lockfile.js";
import type { Variant } from "../project/plan.js";
import { didYouMean } from "../common/nearest.js";

export interface JobImage {
  /** What goes into [runners.docker] image and --docker-image. */
  reference: string;
  /** Pinned as repo@sha256:… from runner-kit.lock. */
  pinned: boolean;
  /** The project variant it comes from, when it is one. */
  variant?: string;
}

/** Looks like a reference rather than an image key: has a registry, path, tag or digest. */
const looksLikeReference = (s: string) => /[/:@.]/.test(s);

/**
 * The job image of a runner: `image` names a project image (the team's variant when the team
 * has one, else the base variant), or is a full reference used as written. Without `image`,
 * the project's only image. Pinned by digest when runner-kit.lock records a push.
 */
export function chooseJobImage(
  image: string | undefined,
  team: string | undefined,
  variants: Variant[],
  lock: LockFile | undefined,
  where: string,
  warn: (message: string) => void,
): JobImage {
  const keys = [...new Set(variants.map((v) => v.image))];
  let key = image;
  if (key === undefined) {
    if (keys.length !== 1) {
      throw configError(
        keys.length === 0
          ? "the runner has no job image: the project defines no images"
          : `the runner's job image is ambiguous: the project has images ${keys.map((k) => `"${k}"`).join(", ")}`,
        { where, hint: "set runner.image to an image key from images:, or to a full image reference" },
      );
    }
    key = keys[0]!;
  }
  if (!keys.includes(key)) {
    if (looksLikeReference(key)) return { reference: key, pinned: false };
    throw configError(`runner image "${key}" is neither an image of this project nor a full image reference${didYouMean(key, keys)}`, {
      where,
      hint: keys.length ? `use one of ${keys.map((k) => `"${k}"`).join(", ")}, or a reference such as "registry.example.com/group/image:tag"` : "use a full image reference",
    });
  }
  const variant =
    variants.find((v) => v.image === key && team !== undefined && v.team === team) ?? variants.find((v) => v.image === key && v.team === undefined);
  if (!variant) {
    throw configError(`image "${key}" has no variant for team "${team}" and no base variant`, {
      where,
      hint: `add "${key}" to teams.${team}.images, or set the runner image to a full reference`,
    });
  }
  const entry = lock?.variants[variant.id];
  if (entry && entry.repository === variant.repository) {
    const pinned = pinnedReference(entry);
    if (pinned) return { reference: pinned, pinned: true, variant: variant.id };
  }
  const reference = `${variant.repository}:${variant.tags[0] ?? "latest"}`;
  warn(
    entry && entry.repository !== variant.repository
      ? `${variant.id}: runner-kit.lock records ${entry.repository}, not ${variant.repository}; the runner uses the unpinned tag ${reference} — run runner-kit build --push to pin it`
      : `${variant.id}: not pushed yet (no digest in runner-kit.lock); the runner uses the unpinned tag ${reference} — run runner-kit build --push to pin it by digest`,
  );
  return { reference, pinned: false, variant: variant.id };
}
