import type Docker from "dockerode";
import { BuildEventTracker, type BuildOutcome } from "./classic-events.js";
import { contextTar, INJECTED_DOCKERFILE } from "./context.js";
import type { BuildRequest, ImageBuilder } from "./image-builder.js";
import { registryConfigFor } from "./registry-config.js";
import { withLabelInstruction } from "../dockerfile/labels.js";
import { buildConnectionError } from "../engine/daemon-error.js";
import { readProgress, StreamError } from "../engine/progress.js";

export interface ClassicBuildRequest {
  /** The context tar stream (see contextTar). */
  context: NodeJS.ReadableStream;
  /** Dockerfile path inside the context. */
  dockerfile: string;
  /** Full references to tag the result with. */
  tags: string[];
  buildArgs: Record<string, string>;
  target?: string;
  /** Sent as the `labels` parameter (one LABEL step per label); see withLabelInstruction. */
  labels?: Record<string, string>;
  noCache?: boolean;
  pull?: boolean;
  platform?: string;
  /** Images whose layers the build may reuse. */
  cacheFrom?: string[];
  /** X-Registry-Config, already URL-safe base64 encoded (see encodeRegistryConfig). */
  registryConfig?: string;
  signal?: AbortSignal;
}

/**
 * One `POST /build` with the classic builder. Every stream event goes through a
 * BuildEventTracker (and its output lines to `onLine`); the outcome carries the image id or
 * the error with the failing step and its last output lines. Errors the daemon returns
 * before streaming (HTTP 4xx/5xx) and broken connections end up in the outcome too; only
 * an abort rejects.
 */
export async function runClassicBuild(
  docker: Docker,
  request: ClassicBuildRequest,
  onLine: (line: string) => void = () => {},
): Promise<BuildOutcome> {
  const tracker = new BuildEventTracker();
  const options: Record<string, unknown> = {
    t: request.tags,
    dockerfile: request.dockerfile,
    buildargs: request.buildArgs,
    rm: true,
    forcerm: true,
    version: "1",
  };
  if (request.labels && Object.keys(request.labels).length > 0) options.labels = request.labels;
  if (request.target) options.target = request.target;
  if (request.noCache) options.nocache = true;
  if (request.pull) options.pull = true;
  if (request.platform) options.platform = request.platform;
  if (request.cacheFrom?.length) options.cachefrom = JSON.stringify(request.cacheFrom);
  // docker-modem would encode a plain object with standard base64; the daemon decodes
  // X-Registry-Config as URL-safe base64 and silently ignores what it cannot decode.
  if (request.registryConfig) options.registryconfig = { base64: request.registryConfig };
  if (request.signal) options.abortSignal = request.signal;
  try {
    const stream = await docker.buildImage(request.context, options as Docker.ImageBuildOptions);
    await readProgress(stream, (event) => {
      for (const line of tracker.push(event)) onLine(line);
    });
  } catch (error) {
    if (request.signal?.aborted) {
      await removeIntermediateImages(docker, tracker.createdImages());
      throw error;
    }
    if (!(error instanceof StreamError)) {
      const outcome = tracker.outcome();
      return { ...outcome, error: buildConnectionError(error, "the build") };
    }
  }
  return tracker.outcome();
}

/**
 * An interrupted build's intermediate images (the steps it committed before Ctrl-C), newest
 * first. `noprune` keeps each removal to that one image, and without `force` the daemon
 * refuses an image that another image or a container uses, so only what this build left
 * dangling goes. The build's containers are the daemon's to remove (`forcerm`).
 */
async function removeIntermediateImages(docker: Docker, ids: readonly string[]): Promise<void> {
  for (const id of [...ids].reverse()) {
    // The interrupted step's container runs from the newest image until the daemon has
    // stopped and removed it: "being used by … container" (409) for a moment, so that one is
    // asked again; an image another image was built on (also 409) stays at once.
    for (let attempt = 0; attempt < IN_USE_ATTEMPTS; attempt++) {
      const inUse = await docker
        .getImage(id)
        .remove({ noprune: true })
        .then(
          () => false,
          (error: { statusCode?: number; message?: string }) => error.statusCode === 409 && /used by .*container/i.test(error.message ?? ""),
        );
      if (!inUse || attempt === IN_USE_ATTEMPTS - 1) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

const IN_USE_ATTEMPTS = 40;

/**
 * The classic (legacy) builder behind the ImageBuilder seam: the context goes as a tar
 * with the rendered Dockerfile added, the labels as one LABEL instruction of the built
 * stage (its `labels` parameter would cost one step per label), and the base images'
 * credentials as X-Registry-Config.
 */
export class ClassicBuilder implements ImageBuilder {
  readonly kind = "classic" as const;

  constructor(private readonly docker: Docker) {}

  async build(request: BuildRequest, onLine: (line: string) => void): Promise<BuildOutcome> {
    const secrets = Object.keys(request.secrets ?? {});
    if (secrets.length > 0) {
      return { error: `the classic builder cannot mount build secrets (${secrets.join(", ")}); build with BuildKit`, tail: [] };
    }
    // The classic builder reads `cachefrom` too, but only images the daemon already has; it never pulls them and has no inline cache.
    if (request.cacheFrom?.length) onLine(`classic builder: cache from ${request.cacheFrom.join(", ")} is used only where the daemon already has the image (it does not pull it)`);
    if (request.inlineCache) onLine("classic builder: inline cache is a BuildKit feature; the image is built without it");
    const dockerfile = withLabelInstruction(request.model ?? request.dockerfile, request.labels ?? {}, request.target);
    const registryConfig = await registryConfigFor(request.baseImages, request.resolveAuth);
    const classic: ClassicBuildRequest = {
      context: await contextTar(request.context.dir, request.context.entries, dockerfile, undefined, { hideDockerfile: true }),
      dockerfile: INJECTED_DOCKERFILE,
      tags: request.tags,
      buildArgs: request.buildArgs,
      ...(request.target !== undefined ? { target: request.target } : {}),
      ...(request.noCache ? { noCache: true } : {}),
      ...(request.pull ? { pull: true } : {}),
      ...(request.platform ? { platform: request.platform } : {}),
      ...(request.cacheFrom?.length ? { cacheFrom: request.cacheFrom } : {}),
      ...(registryConfig ? { registryConfig } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    };
    return runClassicBuild(this.docker, classic, onLine);
  }
}
