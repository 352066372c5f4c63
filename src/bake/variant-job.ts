import type Docker from "dockerode";
import { runClassicBuild } from "../builder/classic.js";
import { contextTar, INJECTED_DOCKERFILE } from "../builder/context.js";
import { daemonErrorText } from "../engine/daemon-error.js";
import { withLabelInstruction } from "../dockerfile/labels.js";
import { pushTag, PushError } from "../push/push.js";
import { RegistryHttpError } from "../push/registry-api.js";
import { parseImageReference } from "../reference/parse.js";
import { CONTENT_HASH_LABEL, imageLabels } from "../builder/image-labels.js";
import { registryConfigFor, repositoryAccess, type RepositoryAccess } from "../push/registry-access.js";
import { stepFailureText } from "../builder/step-failure.js";
import type { BuildDeps, BuildOptions, PreparedVariant, VariantResult } from "./types.js";

class JobFailure extends Error {
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
const PULL_REFUSED = /pull access denied|unauthorized|authentication required|no basic auth credentials|\b40[13]\b/i;

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404;
}

async function inspectImage(docker: Docker, ref: string): Promise<Docker.ImageInspectInfo | undefined> {
  try {
    return await docker.getImage(ref).inspect();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The local image that already has this content hash, tagged with every tag; undefined when none. */
async function localUpToDate(docker: Docker, p: PreparedVariant): Promise<string | undefined> {
  const { repository, tags } = p.variant;
  const first = await inspectImage(docker, `${repository}:${tags[0]}`);
  let id = first?.Config.Labels?.[CONTENT_HASH_LABEL] === p.contentHash ? first.Id : undefined;
  if (!id) {
    const found = await docker.listImages({ filters: { label: [`${CONTENT_HASH_LABEL}=${p.contentHash}`] } });
    id = found[0]?.Id;
  }
  if (!id) return undefined;
  for (const tag of tags) {
    const current: Docker.ImageInspectInfo | undefined = tag === tags[0] && first?.Id === id ? first : await inspectImage(docker, `${repository}:${tag}`);
    if (current?.Id !== id) await docker.getImage(id).tag({ repo: repository, tag });
  }
  return id;
}

/**
 * The registry digest when every tag there already carries this content hash. A tag whose
 * manifest digest (one HEAD) is the one already checked carries the same labels, so only a
 * tag pointing elsewhere costs the manifest and config reads.
 */
async function registryUpToDate(access: RepositoryAccess, p: PreparedVariant): Promise<string | undefined> {
  let digest: string | undefined;
  for (const tag of p.variant.tags) {
    if (digest !== undefined && (await access.client.manifestDigest(access.path, tag)) === digest) continue;
    const found = await access.client.imageLabels(access.path, tag);
    if (!found || found.labels[CONTENT_HASH_LABEL] !== p.contentHash) return undefined;
    digest ??= found.digest;
  }
  return digest;
}

async function build(p: PreparedVariant, deps: BuildDeps, options: BuildOptions): Promise<string> {
  const { variant } = p;
  deps.reporter.start(variant.id, "building");
  const vcs = (await deps.vcs?.()) ?? {};
  const outcome = await runClassicBuild(
    deps.docker,
    {
      context: contextTar(variant.context, p.entries, withLabelInstruction(p.model, imageLabels(p, deps.now(), vcs), p.target)),
      dockerfile: INJECTED_DOCKERFILE,
      tags: variant.tags.map((t) => `${variant.repository}:${t}`),
      buildArgs: variant.args,
      ...(p.target !== undefined ? { target: p.target } : {}),
      noCache: options.noCache,
      pull: options.pull,
      ...(await registryConfigFor([...p.externalBases, ...p.projectBases], deps).then((c) => (c ? { registryConfig: c } : {}))),
      ...(deps.signal ? { signal: deps.signal } : {}),
    },
    (line) => deps.reporter.line(variant.id, line),
  );
  if (outcome.error !== undefined || !outcome.imageId) {
    throw new JobFailure(
      stepFailureText(outcome),
      { ...(outcome.failedStep ? { failedStep: outcome.failedStep } : {}), output: outcome.tail },
      outcome.error !== undefined && PULL_REFUSED.test(outcome.error) ? [...p.externalBases, ...p.projectBases] : [],
    );
  }
  const image = await deps.docker.getImage(`${variant.repository}:${variant.tags[0]}`).inspect();
  return image.Id;
}

async function push(p: PreparedVariant, access: RepositoryAccess, deps: BuildDeps, options: BuildOptions): Promise<string> {
  const { variant } = p;
  const who = access.credential ? `the credentials for ${access.credential.username} from ${access.credential.source}` : "no credentials (none found for this registry)";
  deps.reporter.start(variant.id, "pushing");
  let first: string | undefined;
  for (const tag of variant.tags) {
    let digest: string;
    try {
      digest = await pushTag(deps.docker, variant.repository, tag, {
        auth: access.auth,
        ...(options.pushAttempts !== undefined ? { attempts: options.pushAttempts } : {}),
        ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
        ...(deps.signal ? { signal: deps.signal } : {}),
        onEvent: (e) => {
          if (e.status && !e.progressDetail?.current) deps.reporter.line(variant.id, e.id ? `${e.id}: ${e.status}` : e.status);
        },
        onRetry: ({ attempt, attempts, delayMs, error }) =>
          deps.reporter.note(variant.id, `push of ${variant.repository}:${tag} failed (${error}); retrying in ${delayMs / 1000} s (attempt ${attempt} of ${attempts})`),
      });
    } catch (error) {
      if (!(error instanceof PushError)) throw error;
      if (error.kind === "auth") {
        throw new JobFailure(
          `the registry ${access.domain} refused ${who} when pushing ${variant.repository}:${tag} (${error.message}); check the password or token for ${access.domain} in DOCKER_AUTH_CONFIG or ~/.docker/config.json, or log in again`,
          {},
          [variant.repository],
        );
      }
      if (error.kind === "transient") {
        throw new JobFailure(`the registry ${access.domain} stopped answering while ${variant.repository}:${tag} was being pushed (${error.message}); gave up after ${error.attempts} attempt${error.attempts === 1 ? "" : "s"}. Check that the registry is up, then run the build again`);
      }
      throw new JobFailure(`pushing ${variant.repository}:${tag} to ${access.domain} failed: ${error.message}`);
    }
    const readBack = await access.client.manifestDigest(access.path, tag);
    if (readBack !== digest) {
      throw new JobFailure(`the registry ${access.domain} reports ${readBack ?? "no manifest"} for ${variant.repository}:${tag} after the daemon pushed ${digest}; another push may have raced this one`);
    }
    first ??= digest;
  }
  return first!;
}

/** Base image → registry digest ("sha256:…"), or the local image id when it has none. */
async function baseDigests(p: PreparedVariant, job: JobContext): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const image of p.externalBases) {
    const info = await job.inspect(image);
    if (!info) continue;
    const name = parseImageReference(image).name;
    const repoDigest = (info.RepoDigests ?? []).find((d) => {
      try {
        return parseImageReference(d).name === name;
      } catch {
        return false;
      }
    });
    out[image] = repoDigest ? repoDigest.slice(repoDigest.indexOf("@") + 1) : info.Id;
  }
  for (const dep of p.dependsOn) {
    const r = job.dependencies.get(dep);
    const value = r?.digest ?? r?.imageId;
    if (r && value) out[r.repository] = value;
  }
  return out;
}

function registryProblem(error: unknown, access: RepositoryAccess | undefined, repository: string): JobFailure | undefined {
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
async function credentialProblem(refused: string[], deps: BuildDeps): Promise<string | undefined> {
  if (refused.length === 0 || !deps.credentialProblems) return undefined;
  const found = await Promise.all(refused.map((image) => deps.credentialProblems!(image).catch(() => undefined)));
  const unique = [...new Set(found.filter((f): f is string => f !== undefined))];
  return unique.length > 0 ? unique.join("; ") : undefined;
}

/** What is already there for a variant: found before any build starts, for all variants at once. */
export interface Detection {
  access?: RepositoryAccess;
  /** Registry digest when every tag in the registry has the content hash (with --push). */
  remote?: string;
  /** Local image id with the content hash. */
  local?: string;
  error?: unknown;
}

export async function detectExisting(p: PreparedVariant, deps: BuildDeps, options: BuildOptions): Promise<Detection> {
  const found: Detection = {};
  try {
    if (options.push) {
      // Fails early, with the registry named, when it cannot be reached at all.
      found.access = await repositoryAccess(p.variant.repository, deps);
      if (!options.force) {
        const remote = await registryUpToDate(found.access, p);
        if (remote) found.remote = remote;
      }
    }
    if (!options.force) {
      // Also when the registry has it: the local image id belongs in the lock either way.
      const local = await localUpToDate(deps.docker, p);
      if (local) found.local = local;
    }
  } catch (error) {
    found.error = error;
  }
  return found;
}

export interface JobContext {
  deps: BuildDeps;
  options: BuildOptions;
  /** Results of the variants this one builds FROM. */
  dependencies: Map<string, VariantResult>;
  detection: Promise<Detection>;
  /** Memoised local image inspection (base images are shared between variants). */
  inspect(ref: string): Promise<Docker.ImageInspectInfo | undefined>;
}

export function memoInspect(docker: Docker): (ref: string) => Promise<Docker.ImageInspectInfo | undefined> {
  const cache = new Map<string, Promise<Docker.ImageInspectInfo | undefined>>();
  return (ref) => {
    let pending = cache.get(ref);
    if (!pending) cache.set(ref, (pending = inspectImage(docker, ref).catch(() => undefined)));
    return pending;
  };
}

/**
 * One variant from start to summary line: what already exists (local label, or the
 * registry tag when pushing), build, push with read-back verification. Never throws for a
 * failed build or push: the failure is the result, so other images keep going.
 */
export async function runVariantJob(p: PreparedVariant, job: JobContext): Promise<VariantResult> {
  const { deps, options } = job;
  const started = Date.now();
  const { variant } = p;
  const result: VariantResult = {
    id: variant.id,
    repository: variant.repository,
    tags: variant.tags,
    status: "failed",
    durationMs: 0,
    contentHash: p.contentHash,
    pushed: false,
    baseImages: {},
  };
  const found = await job.detection;
  const access = found.access;
  try {
    if (found.error !== undefined) throw found.error;
    if (found.remote) {
      result.status = "up-to-date";
      result.digest = found.remote;
      if (found.local) result.imageId = found.local;
      deps.reporter.note(variant.id, `up to date in ${access!.domain} (${found.remote})`);
    } else {
      if (found.local) {
        result.imageId = found.local;
        result.status = "up-to-date";
        deps.reporter.note(variant.id, "up to date (an image with this content hash exists)");
      } else {
        result.imageId = await build(p, deps, options);
        result.status = "built";
      }
      const refused = deps.beforePush ? await deps.beforePush(p, result) : undefined;
      if (refused !== undefined) throw new JobFailure(refused);
      if (options.push && access) {
        result.digest = await push(p, access, deps, options);
        result.pushed = true;
      }
    }
    result.baseImages = await baseDigests(p, job);
  } catch (error) {
    if (deps.signal?.aborted) throw error;
    const failure = error instanceof JobFailure ? error : registryProblem(error, access, variant.repository);
    if (!failure) throw error;
    result.status = "failed";
    result.error = failure.message;
    Object.assign(result, failure.extra);
    const problem = await credentialProblem(failure.refused, deps);
    if (problem) {
      result.error += `; a credential helper had failed before: ${problem}`;
      result.credentialProblem = problem;
    }
  }
  result.durationMs = Date.now() - started;
  deps.reporter.finish(result);
  return result;
}
