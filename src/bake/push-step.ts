import { pushTag, PushError } from "../push/push.js";
import type { RepositoryAccess } from "../push/registry-access.js";
import type { RegistryRetryOptions } from "../push/registry-retry.js";
import { JobFailure } from "./job-failure.js";
import type { BuildDeps, BuildOptions, PreparedVariant } from "./types.js";

function pushFailure(error: PushError, access: RepositoryAccess, repository: string, tag: string): JobFailure {
  const ref = `${repository}:${tag}`;
  if (error.kind === "auth") {
    const who = access.credential ? `the credentials for ${access.credential.username} from ${access.credential.source}` : "no credentials (none found for this registry)";
    return new JobFailure(
      `the registry ${access.domain} refused ${who} when pushing ${ref} (${error.message}); check the password or token for ${access.domain} in DOCKER_AUTH_CONFIG or ~/.docker/config.json, or log in again`,
      {},
      [repository],
    );
  }
  if (error.kind === "transient") {
    return new JobFailure(`the registry ${access.domain} stopped answering while ${ref} was being pushed (${error.message}); gave up after ${error.attempts} attempt${error.attempts === 1 ? "" : "s"}. Check that the registry is up, then run the build again`);
  }
  return new JobFailure(`pushing ${ref} to ${access.domain} failed: ${error.message}`);
}

/** The build's retry settings for registry writes (tests shorten them; Ctrl-C ends a pause). */
export function pushRetry(options: BuildOptions, deps: BuildDeps): RegistryRetryOptions {
  return {
    ...(options.pushAttempts !== undefined ? { attempts: options.pushAttempts } : {}),
    ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
  };
}

/** Push every tag of a variant, reading each digest back from the registry; the first tag's digest. */
export async function pushVariant(p: PreparedVariant, access: RepositoryAccess, deps: BuildDeps, options: BuildOptions): Promise<string> {
  const { variant } = p;
  deps.reporter.start(variant.id, "pushing");
  let first: string | undefined;
  for (const tag of variant.tags) {
    let digest: string;
    try {
      digest = await pushTag(deps.docker, variant.repository, tag, {
        auth: access.auth,
        ...pushRetry(options, deps),
        onEvent: (e) => {
          if (e.status && !e.progressDetail?.current) deps.reporter.line(variant.id, e.id ? `${e.id}: ${e.status}` : e.status);
        },
        onRetry: ({ attempt, attempts, delayMs, error }) =>
          deps.reporter.note(variant.id, `push of ${variant.repository}:${tag} failed (${error}); retrying in ${delayMs / 1000} s (attempt ${attempt} of ${attempts})`),
      });
    } catch (error) {
      if (!(error instanceof PushError)) throw error;
      throw pushFailure(error, access, variant.repository, tag);
    }
    const readBack = await access.client.manifestDigest(access.path, tag);
    if (readBack !== digest) {
      throw new JobFailure(`the registry ${access.domain} reports ${readBack ?? "no manifest"} for ${variant.repository}:${tag} after the daemon pushed ${digest}; another push may have raced this one`);
    }
    first ??= digest;
  }
  return first!;
}
