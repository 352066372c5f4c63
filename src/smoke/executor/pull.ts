/**
 * Getting an image onto the daemon under a pull policy (GitLab Runner's pull manager):
 * policies are tried in order; `never` = local only, `if-not-present` = local else pull,
 * `always` = pull. Pulls are authenticated through the injected resolver. With a platform
 * (`image: docker: platform`) the pull asks for it, and a local image counts only when it
 * is of that platform.
 */
import type { EngineApi } from "../../engine/engine-api.js";
import type { ResolveAuth } from "../../auth/lazy-resolver.js";
import { configError, failure } from "../../common/errors.js";
import type { RegistryRetryOptions } from "../../push/registry-retry.js";
import { splitNameAndVersion } from "./aliases.js";
import type { PullPolicy } from "../job/parse.js";
import { formatPlatform, samePlatform, type Platform } from "../../reference/platform.js";

export interface ImageInfo {
  ref: string;
  id: string;
  /** repo@sha256:… when the daemon knows one, else the image ID. */
  digest: string;
  /** The image's own platform, from its inspect document. */
  platform?: Platform;
  config: { Env?: string[]; Entrypoint?: string[] | null; Cmd?: string[] | null; ExposedPorts?: Record<string, unknown> };
}

export interface PullDeps {
  docker: EngineApi;
  resolveAuth?: ResolveAuth;
  log: (line: string) => void;
  /** Ctrl-C: ends a pause between pull attempts at once. */
  signal?: AbortSignal;
  /** The retry budget (default: a push's, see push/registry-retry.ts); tests shorten it. */
  retry?: Pick<RegistryRetryOptions, "attempts" | "backoffMs" | "sleep">;
}

async function inspectLocal(docker: EngineApi, ref: string): Promise<ImageInfo | undefined> {
  try {
    const info = await docker.getImage(ref).inspect();
    return {
      ref,
      id: info.Id,
      digest: info.RepoDigests?.[0] ?? info.Id,
      ...(info.Os && info.Architecture ? { platform: { os: info.Os, architecture: info.Architecture, ...(info.Variant ? { variant: info.Variant } : {}) } } : {}),
      config: (info.Config ?? {}) as ImageInfo["config"],
    };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    if ((error as { statusCode?: number }).statusCode === 400) {
      const reason = /invalid reference format: (.+)$/.exec(String((error as Error).message))?.[1]?.trim() ?? "invalid reference format";
      throw configError(`the image reference "${ref}" is not valid (${reason}). Write it as [registry[:port]/]path[:tag][@sha256:hex] with a lowercase repository name.`);
    }
    throw error;
  }
}

async function pull(deps: PullDeps, ref: string, platform: Platform | undefined): Promise<void> {
  const pullRef = splitNameAndVersion(ref).imageName;
  const credential = deps.resolveAuth ? await deps.resolveAuth(pullRef) : undefined;
  if (credential) deps.log(`Authenticating with credentials from ${credential.source}`);
  deps.log(`Pulling docker image ${pullRef}${platform ? ` for ${formatPlatform(platform)}` : ""} ...`);
  const options = platform ? { platform: formatPlatform(platform) } : {};
  const authconfig = credential ? (await import("../../auth/daemon-auth.js")).dockerAuthConfig(credential) : undefined;
  // Loaded on the first pull only: a run with local images never reads the push modules they live with.
  const [{ readProgress }, { withRegistryRetries }] = await Promise.all([import("../../engine/progress.js"), import("../../push/registry-retry.js")]);
  try {
    // One retry policy with pushes: transient failures only, the same pauses, Ctrl-C ends a pause.
    await withRegistryRetries(async () => void (await readProgress(await deps.docker.pull(pullRef, authconfig ? { ...options, authconfig: { ...authconfig } } : options))), {
      ...deps.retry,
      ...(deps.signal ? { signal: deps.signal } : {}),
      onRetry: ({ attempt, attempts, delayMs, error }) => deps.log(`Pulling ${pullRef} failed (${error.trim()}); retrying in ${delayMs / 1000} s (attempt ${attempt} of ${attempts})`),
    });
    return;
  } catch (error) {
    if (deps.signal?.aborted) throw error;
    return pullFailed(pullRef, credential, error);
  }
}

function pullFailed(pullRef: string, credential: { source: string } | undefined, lastError: unknown): never {
  const message = lastError instanceof Error ? lastError.message : String(lastError);
  throw failure(`cannot pull the image ${pullRef}: ${message.trim()}`, {
    where: pullRef,
    hint: credential ? `credentials came from ${credential.source}; check they allow pulling` : "check the name, and log in to the registry (docker login, or DOCKER_AUTH_CONFIG) if it is private",
  });
}

/** A local image serves when no platform is asked for, or it is of that platform. */
function serves(image: ImageInfo | undefined, platform: Platform | undefined): image is ImageInfo {
  return image !== undefined && (platform === undefined || (image.platform !== undefined && samePlatform(image.platform, platform)));
}

/** Make `ref` available locally following `policies` (tried in order), of `platform` when given. */
export async function ensureImage(deps: PullDeps, ref: string, policies: PullPolicy[], platform?: Platform): Promise<ImageInfo> {
  const of = platform ? ` for ${formatPlatform(platform)}` : "";
  let lastError: unknown;
  for (const [i, policy] of policies.entries()) {
    if (policies.length > 1) deps.log(`Attempt #${i + 1}: Trying "${policy}" pull policy`);
    try {
      if (policy !== "always") {
        const local = await inspectLocal(deps.docker, ref);
        if (serves(local, platform)) {
          deps.log(`Using locally found image version due to "${policy}" pull policy for ${ref}`);
          return local;
        }
        if (policy === "never") {
          throw configError(`the image ${ref}${of} is not on the Docker daemon and the pull policy is "never"`, {
            where: ref,
            hint: "build or pull it first, or allow pulling with pull_policy: if-not-present",
          });
        }
      }
      await pull(deps, ref, platform);
      const pulled = await inspectLocal(deps.docker, ref);
      if (serves(pulled, platform)) return pulled;
      throw failure(pulled ? `the image ${ref} was pulled but is not${of}` : `the image ${ref} was pulled but the daemon does not list it`, { where: ref });
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
