/** How build progress is shown: a live view, plain prefixed lines, or GitLab's collapsible sections. */
export type ProgressMode = "tty" | "plain" | "gitlab";
export type ProgressRequest = ProgressMode | "auto";

/**
 * `--progress auto` (the default) as docker buildx decides it: GitLab sections under
 * `GITLAB_CI`, a live view on a terminal outside CI, plain lines otherwise. Any other value
 * is taken as asked. Pure.
 */
export function progressMode(requested: ProgressRequest | undefined, where: { isTTY: boolean; env: NodeJS.ProcessEnv }): ProgressMode {
  if (requested !== undefined && requested !== "auto") return requested;
  if (where.env.GITLAB_CI) return "gitlab";
  if (where.isTTY && !where.env.CI) return "tty";
  return "plain";
}
