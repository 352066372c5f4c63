/**
 * What a runner config refuses, in GitLab Runner's words: an image or service outside
 * allowed_images / allowed_services, more services than services_limit, a pull policy
 * outside allowed_pull_policies, a user outside allowed_users. Pure; each refusal is a
 * configuration error naming the runner config (exit 2), as the runner fails such a job
 * before it starts anything.
 */
import { configError } from "../../common/errors.js";
import type { PullPolicy } from "../job/types.js";
import type { RunnerDocker } from "../job/runner-docker.js";

const ADVANCED_CONFIG = "https://docs.gitlab.com/runner/configuration/advanced-configuration/";

const escapeRegExp = (c: string) => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** doublestar's Match, as the runner matches allowed_* patterns: `*` and `?` stop at "/", `**` does not, `{a,b}` alternates. */
export function globMatch(pattern: string, text: string): boolean {
  let re = "";
  let depth = 0;
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i] as string;
    if (c === "*" && pattern[i + 1] === "*") {
      re += ".*";
      i += 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "{") {
      re += "(?:";
      depth += 1;
    } else if (c === "}" && depth > 0) {
      re += ")";
      depth -= 1;
    } else if (c === "," && depth > 0) re += "|";
    else if (c === "\\" && i + 1 < pattern.length) re += escapeRegExp(pattern[++i] as string);
    else re += escapeRegExp(c);
  }
  try {
    return new RegExp(`^${re}$`).test(text);
  } catch {
    return false; // doublestar: a malformed pattern matches nothing
  }
}

/** VerifyAllowedImage: an empty list allows anything; the runner's own image(s) are always allowed. */
export function checkAllowedImage(image: string, kind: "images" | "services", allowed: string[], internal: string[], where: string): void {
  if (allowed.length === 0 || allowed.some((p) => globMatch(p, image)) || internal.includes(image)) return;
  throw configError(`The "${image}" image is not present on list of allowed ${kind}: ${allowed.join(", ")}. The runner refuses this job before it starts`, {
    where,
    hint: `use an image the runner's allowed_${kind} matches, or add it there (see ${ADVANCED_CONFIG})`,
  });
}

/** services_limit: negative or absent → no limit. */
export function checkServicesLimit(requested: number, d: RunnerDocker, where: string): void {
  if (d.servicesLimit === undefined || d.servicesLimit < 0 || requested <= d.servicesLimit) return;
  throw configError(`too many services requested: ${requested}, only ${d.servicesLimit} allowed (services_limit)`, {
    where,
    hint: "run fewer services in the job (the runner's services count too), or raise services_limit",
  });
}

const goList = (policies: string[]) => `[${policies.join(" ")}]`;

/** Where a requested pull policy came from, in the runner's words (or smoke's flag). */
export type PolicySource = "GitLab pipeline config" | "Runner config" | "Runner config (default)" | "--pull-policy";

/**
 * ComputeEffectivePullPolicies: the requested policies limited to allowed_pull_policies
 * (default: the config's pull_policy, else ["always"]). Returns the effective list;
 * refuses an empty intersection with the runner's message.
 */
export function effectivePullPolicies(image: string, requested: { policies: PullPolicy[]; source: PolicySource }, d: RunnerDocker, where: string): PullPolicy[] {
  const allowed = d.allowedPullPolicies ?? d.pullPolicy ?? ["always"];
  const effective = requested.policies.filter((p) => allowed.includes(p));
  if (effective.length > 0) return effective;
  throw configError(
    `invalid pull policy for image "${image}": pull_policy (${goList(requested.policies)}) defined in ${requested.source} is not one of the allowed_pull_policies (${goList(allowed)})`,
    { where, hint: "ask for a pull policy the runner allows, or add it to allowed_pull_policies" },
  );
}

/** getBuildContainerUser: the runner's `user` wins over the image's `docker: user`; allowed_users (default: that user) limits it. */
export function jobUser(imageUser: string | undefined, d: RunnerDocker, where: string): string | undefined {
  const user = d.user ?? imageUser;
  if (user === undefined || user === "") return undefined;
  if (d.allowedUsers.length === 0 && d.user === undefined) return user;
  const allowed = d.allowedUsers.length > 0 ? d.allowedUsers : [d.user as string];
  if (allowed.includes(user)) return user;
  throw configError(`user "${user}" is not an allowed user: ${goList(allowed)}`, { where, hint: "run the job as a user the runner's allowed_users lists" });
}
