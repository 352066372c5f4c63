import { CONTENT_HASH_LABEL } from "../builder/image-labels.js";
import type { ImageClient, ListedImage, LocalImage } from "../builder/image-client.js";
import { dockerRef } from "../reference/parse.js";

/** A reference in the one form the daemon and the project can both be compared in ("docker.io/library/x:latest"). */
function canonical(ref: string): string | undefined {
  try {
    return dockerRef(ref).toString();
  } catch {
    return undefined;
  }
}

/**
 * The image client the up-to-date check reads through: every image with a content-hash
 * label is listed in ONE `GET /images/json` (on first use, shared by all variants) instead
 * of one inspect (or two) per variant and tag. A reference or hash the list answers is
 * answered from it; anything else (an image without the label, a base image) is asked of
 * the daemon as before, so the decision is the one per-variant inspects made. Tagging goes
 * to the daemon. Only for the check made before anything builds: after a build the list is
 * out of date.
 */
export function labelledImagesSnapshot(images: ImageClient): ImageClient {
  let listing: Promise<{ byRef: Map<string, ListedImage>; byId: Map<string, ListedImage>; all: ListedImage[] }> | undefined;
  const snapshot = () =>
    (listing ??= images.listLabelled(CONTENT_HASH_LABEL).then((all) => {
      const byRef = new Map<string, ListedImage>();
      for (const image of all) {
        for (const tag of image.repoTags) {
          const key = canonical(tag);
          if (key !== undefined) byRef.set(key, image);
        }
      }
      return { byRef, byId: new Map(all.map((i) => [i.id, i])), all };
    }));
  const local = (i: ListedImage): LocalImage => ({ id: i.id, labels: i.labels, repoDigests: i.repoDigests });
  return {
    async inspect(ref) {
      const { byRef, byId } = await snapshot();
      const found = byId.get(ref) ?? (canonical(ref) !== undefined ? byRef.get(canonical(ref)!) : undefined);
      return found ? local(found) : images.inspect(ref);
    },
    tag: (id, repository, tag) => images.tag(id, repository, tag),
    async listByLabel(key, value) {
      if (key !== CONTENT_HASH_LABEL) return images.listByLabel(key, value);
      return (await snapshot()).all.filter((i) => i.labels[key] === value).map((i) => i.id);
    },
    async listLabelled(key) {
      return key === CONTENT_HASH_LABEL ? (await snapshot()).all : images.listLabelled(key);
    },
  };
}
