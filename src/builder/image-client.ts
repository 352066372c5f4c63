import type Docker from "dockerode";

/** What the build needs to know of a local image. */
export interface LocalImage {
  /** "sha256:…" image id. */
  id: string;
  labels: Record<string, string>;
  /** "repository@sha256:…" for each registry the image was pushed to or pulled from. */
  repoDigests: string[];
}

/**
 * The daemon's local images as the build sees them: inspect, tag, list by label. Builders
 * make images; this finds and names them, whichever builder made them.
 */
export interface ImageClient {
  /** The image a reference or id names; undefined when the daemon has none. */
  inspect(ref: string): Promise<LocalImage | undefined>;
  /** Give an image (by id) the tag `repository:tag`. */
  tag(id: string, repository: string, tag: string): Promise<void>;
  /** Ids of the images carrying the label `key=value`. */
  listByLabel(key: string, value: string): Promise<string[]>;
}

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404;
}

/** The image client over a dockerode connection. */
export function dockerImageClient(docker: Docker): ImageClient {
  return {
    async inspect(ref) {
      let info: Docker.ImageInspectInfo;
      try {
        info = await docker.getImage(ref).inspect();
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
      return { id: info.Id, labels: info.Config?.Labels ?? {}, repoDigests: info.RepoDigests ?? [] };
    },
    async tag(id, repository, tag) {
      await docker.getImage(id).tag({ repo: repository, tag });
    },
    async listByLabel(key, value) {
      const found = await docker.listImages({ filters: { label: [`${key}=${value}`] } });
      return found.map((image) => image.Id);
    },
  };
}
