/** What the labels of a built image are made of. */
export interface LabelledImage {
  variant: { id: string; template: string; tags: readonly string[] };
  contentHash: string;
  /** The final stage's base image (OCI base.name), normalised. */
  finalBase?: string;
}

export const CONTENT_HASH_LABEL = "io.runner-kit.content-hash";
export const TEMPLATE_LABEL = "io.runner-kit.template";
export const VARIANT_LABEL = "io.runner-kit.variant";

/**
 * Labels every built image carries: the OCI annotation keys (image-spec annotations.md)
 * and runner-kit's own. Not the run labels: containers started from the image would
 * inherit them and be mistaken for this run's resources.
 */
export function imageLabels(p: LabelledImage, created: Date, vcs: { source?: string; revision?: string } = {}): Record<string, string> {
  const labels: Record<string, string> = {
    "org.opencontainers.image.created": created.toISOString().replace(/\.\d{3}Z$/, "Z"),
    "org.opencontainers.image.title": p.variant.id,
    [TEMPLATE_LABEL]: p.variant.template,
    [VARIANT_LABEL]: p.variant.id,
    [CONTENT_HASH_LABEL]: p.contentHash,
  };
  const version = p.variant.tags.find((t) => t !== "latest") ?? p.variant.tags[0];
  if (version) labels["org.opencontainers.image.version"] = version;
  if (vcs.source) labels["org.opencontainers.image.source"] = vcs.source;
  if (vcs.revision) labels["org.opencontainers.image.revision"] = vcs.revision;
  if (p.finalBase) labels["org.opencontainers.image.base.name"] = p.finalBase;
  return labels;
}

/** Source URL and revision: GitLab CI's variables first, then the git checkout (given). */
export function vcsFromEnv(env: NodeJS.ProcessEnv, git: { source?: string; revision?: string } = {}): { source?: string; revision?: string } {
  const out: { source?: string; revision?: string } = {};
  const source = env.CI_PROJECT_URL || git.source;
  const revision = env.CI_COMMIT_SHA || git.revision;
  if (source) out.source = source;
  if (revision) out.revision = revision;
  return out;
}
