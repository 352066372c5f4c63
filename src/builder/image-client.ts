/** What the build needs to know of a local image. */
export interface LocalImage {
  /** "sha256:…" image id. */
  id: string;
  labels: Record<string, string>;
  /** "repository@sha256:…" for each registry the image was pushed to or pulled from. */
  repoDigests: string[];
}

/** A local image as the image list shows it: also its tags ("repository:tag", as the daemon writes them). */
export interface ListedImage extends LocalImage {
  repoTags: string[];
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
  /** Every image carrying the label `key` (any value), with its tags: one request. */
  listLabelled(key: string): Promise<ListedImage[]>;
}

/**
 * The Engine calls the image client makes, as dockerode names them; the thin HTTP client
 * (engine/engine-http.ts) has the same, so the no-op build path needs no dockerode.
 */
export interface ImageEngine {
  getImage(ref: string): {
    inspect(): Promise<{ Id: string; Config?: { Labels?: Record<string, string> | null }; RepoDigests?: string[] | null }>;
    tag(options: { repo: string; tag: string }): Promise<unknown>;
  };
  listImages(options: { filters: { label: string[] } }): Promise<{ Id: string; RepoTags?: string[] | null; RepoDigests?: string[] | null; Labels?: Record<string, string> | null }[]>;
}

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404;
}

/** The image client over an Engine connection (dockerode's Docker or the thin HTTP client). */
export function dockerImageClient(docker: ImageEngine): ImageClient {
  const list = (label: string) => docker.listImages({ filters: { label: [label] } });
  return {
    async inspect(ref) {
      let info: Awaited<ReturnType<ReturnType<ImageEngine["getImage"]>["inspect"]>>;
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
      return (await list(`${key}=${value}`)).map((image) => image.Id);
    },
    async listLabelled(key) {
      return (await list(key)).map((i) => ({ id: i.Id, labels: i.Labels ?? {}, repoDigests: i.RepoDigests ?? [], repoTags: i.RepoTags ?? [] }));
    },
  };
}
