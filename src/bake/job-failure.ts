import { daemonErrorText } from "../engine/daemon-error.js";
import { RegistryHttpError } from "../push/registry-api.js";
import type { RepositoryAccess } from "../push/registry-access.js";
import type { BuildDeps, VariantResult } from "./types.js";

/** A variant's build or push failed: the failure is its result, the other images go on. */
export class JobFailure extends Error {
  constructor(
    message: string,
    readonly extra: Partial<VariantResult> = {},
    /** Images a registry refused access to (401/403, "denied"): their failed credential helpers are named. */
    readonly refused: string[] = [],
  ) {
    super(message);
  }
}

/** What the daemon says when a registry refuses a pull during a build. */
export const PULL_REFUSED = /pull access denied|unauthorized|authentication required|no basic auth credentials|\b40[13]\b/i;

/** A daemon or registry error as a JobFailure naming the repository; undefined for anything else. */
export function registryProblem(error: unknown, access: RepositoryAccess | undefined, repository: string): JobFailure | undefined {
  if ((error as { statusCode?: number }).statusCode !== undefined) {
    return new JobFailure(`the Docker daemon refused a request for ${repository}: ${daemonErrorText(error)}`);
  }
  if (!(error instanceof RegistryHttpError)) return undefined;
  if (error.status === undefined) {
    return new JobFailure(`${error.message}, so ${repository} cannot be pushed; check the registry host in runner-kit.yaml (\`registry:\`) and that the registry is running`);
  }
  if (error.status === 401 || error.status === 403) {
    const who = access?.credential ? `the credentials for ${access.credential.username} from ${access.credential.source}` : "no credentials";
    return new JobFailure(`${error.message} with ${who}; check the password or token for ${access?.domain ?? "the registry"}`, {}, [repository]);
  }
  return new JobFailure(error.message);
}

/** The failed credential helpers that could have answered for the refused images, as one sentence. */
export async function credentialProblem(refused: string[], deps: BuildDeps): Promise<string | undefined> {
  if (refused.length === 0 || !deps.credentialProblems) return undefined;
  const found = await Promise.all(refused.map((image) => deps.credentialProblems!(image).catch(() => undefined)));
  const unique = [...new Set(found.filter((f): f is string => f !== undefined))];
  return unique.length > 0 ? unique.join("; ") : undefined;
}
