import { createHash, randomUUID } from "node:crypto";
import { resolve } from "node:path";
import type Docker from "dockerode";
import type { SecretSet } from "../../common/secrets.js";
import { traceMark } from "../../common/trace.js";
import { buildConnectionError } from "../../engine/daemon-error.js";
import { readProgress, StreamError, type StreamEvent } from "../../engine/progress.js";
import { labelsToAdd } from "../../dockerfile/labels.js";
import { contextTar, INJECTED_DOCKERFILE } from "../context.js";
import type { BuildOutcome, BuildRequest, ImageBuilder } from "../image-builder.js";
import { authMethods, explainRefusal, type ServedHosts } from "./auth-service.js";
import { decodeStatus, loadCodec, type Codec } from "./messages.js";
import { explainMissingSecret, secretsMethods } from "./secrets-service.js";
import { diskDir, fileSyncStream, memoryDir } from "./filesync-service.js";
import { openSession, type BuildSession, type OpeningSession } from "./session.js";
import { explainMissingSsh, sshMethods } from "./ssh-service.js";
import { BuildKitStatusTracker } from "./status-tracker.js";

export interface BuildKitBuilderOptions {
  /** Where `{ env: VAR }` secrets are read from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Every credential and secret value the session serves is added here; lines and outcomes are redacted with it. */
  secretSet?: SecretSet;
  /**
   * How the context reaches the daemon: "session" (default) serves it over the session's
   * file sync, as the docker CLI does; "tar" uploads it as the request body.
   */
  contextTransfer?: "session" | "tar";
  /** Told the path of each context file the daemon fetches over the session (a rebuild fetches only changed files). */
  onContextFile?: (path: string) => void;
}

/** The Dockerfile's name in the "dockerfile" dir the session serves. */
const SESSION_DOCKERFILE = "Dockerfile";

const TRACE = "moby.buildkit.trace";
const IMAGE_ID = "moby.image.id";
/** How long an abort waits for the daemon to accept the cancel before it drops the build's connection. */
const CANCEL_WAIT_MS = 5000;

/**
 * The `POST /build` query: BuildKit (version 2), its session, where the context comes from
 * (the session's file sync: `remote=client-session`; else the tar body), and the request's parameters.
 */
export function buildQuery(request: BuildRequest, sessionId: string, buildId: string, transfer: "session" | "tar" = "tar"): Record<string, unknown> {
  const buildargs = { ...request.buildArgs, ...(request.inlineCache ? { BUILDKIT_INLINE_CACHE: "1" } : {}) };
  const dockerfile = transfer === "session" ? SESSION_DOCKERFILE : INJECTED_DOCKERFILE;
  const query: Record<string, unknown> = { version: "2", session: sessionId, buildid: buildId, t: request.tags, dockerfile, buildargs };
  if (transfer === "session") query.remote = "client-session";
  // The template's own OCI labels win over runner-kit's, as with the classic builder.
  const labels = request.labels ? labelsToAdd(request.model ?? request.dockerfile, request.labels, request.target) : {};
  if (Object.keys(labels).length > 0) query.labels = labels;
  if (request.target) query.target = request.target;
  if (request.platform) query.platform = request.platform;
  if (request.noCache) query.nocache = true;
  if (request.pull) query.pull = true;
  if (request.cacheFrom && request.cacheFrom.length > 0) query.cachefrom = JSON.stringify(request.cacheFrom);
  return query;
}

/**
 * The key the daemon keeps its copy of a context under between builds: one per context
 * directory, so a rebuild moves only the files that changed.
 */
export function contextSharedKey(dir: string): string {
  return createHash("sha256").update(`runner-kit-context:${resolve(dir)}`).digest("hex");
}

/** `POST /build`; `body` is the context tar, or undefined when the session serves the context. */
function dialBuild(docker: Docker, query: Record<string, unknown>, body: NodeJS.ReadableStream | undefined, signal: AbortSignal): Promise<NodeJS.ReadableStream> {
  const modem = docker.modem as unknown as { dial(options: object, callback: (error: unknown, stream: NodeJS.ReadableStream) => void): void };
  return new Promise((resolve, reject) => {
    modem.dial(
      {
        path: "/build?",
        method: "POST",
        // The tar holds the context with the rendered Dockerfile added; the labels go as the `labels` parameter.
        ...(body ? { file: body } : {}),
        // Without a body the query alone: docker-modem sends the options as a JSON body unless told `_body: {}`.
        options: body ? query : { _query: query, _body: {} },
        isStream: true,
        abortSignal: signal,
        statusCodes: { 200: true, 400: "bad parameter", 500: "server error" },
      },
      (error, stream) => (error ? reject(error) : resolve(stream)),
    );
  });
}

/** An aborted request: reject with the signal's reason before anything is sent. */
function stopIfAborted(request: BuildRequest): void {
  if (request.signal?.aborted) throw request.signal.reason;
}

/**
 * Builds with the daemon's BuildKit through the Engine API: a session of runner-kit's own
 * (credentials per registry host, build secrets), `POST /build?version=2`, and BuildKit's
 * status stream decoded into progress lines. Errors of the build end up in the outcome;
 * an abort cancels the build on the daemon, closes the session and rejects.
 */
export class BuildKitBuilder implements ImageBuilder {
  readonly kind = "buildkit" as const;

  constructor(
    private readonly docker: Docker,
    private readonly options: BuildKitBuilderOptions = {},
  ) {}

  async build(request: BuildRequest, onLine: (line: string) => void): Promise<BuildOutcome> {
    traceMark("buildkit: build started");
    stopIfAborted(request);
    const redact = (text: string) => this.options.secretSet?.redact(text) ?? text;
    const codec = await loadCodec();
    const served: ServedHosts = new Map();
    const missingSecrets = new Set<string>();
    const missingSsh = new Set<string>();
    const methods = [
      // Cache-from images are pulled through the session too: their references name a host's credential as FROM images do.
      ...authMethods({ resolveAuth: request.resolveAuth, baseImages: [...request.baseImages, ...(request.cacheFrom ?? [])], secretSet: this.options.secretSet }, served),
      ...secretsMethods({ secrets: request.secrets ?? {}, env: this.options.env ?? process.env, secretSet: this.options.secretSet, missing: missingSecrets }),
      ...sshMethods({ agents: request.ssh ?? {}, missing: missingSsh }),
    ];
    // The dir names the daemon asked for over the file sync; undefined when the context goes as a tar.
    const synced = (this.options.contextTransfer ?? "session") === "session" ? new Set<string>() : undefined;
    const dirs = { context: diskDir(request.context.dir, request.context.entries), dockerfile: memoryDir(SESSION_DOCKERFILE, request.dockerfile) };
    if (synced) methods.push(fileSyncStream({ dirs, codec, onCall: (name) => synced.add(name), onFile: (name, path) => name === "context" && this.options.onContextFile?.(path) }));
    traceMark("buildkit: codec loaded, opening the session and sending POST /build");
    // The session is opened while the daemon takes the build request, as the docker CLI
    // does: the daemon waits for the session the build names, and its own start-up hides
    // the hijack and the loading of the gRPC server.
    const opening = openSession(this.docker, codec, methods, { sharedKey: contextSharedKey(request.context.dir), id: randomUUID() });
    opening.catch(() => undefined);
    try {
      const outcome = await this.run(request, opening, codec, synced, (line) => onLine(redact(line)));
      if (outcome.error !== undefined) {
        const error = explainMissingSecret(explainRefusal(outcome.error, served), missingSecrets, Object.keys(request.secrets ?? {}));
        outcome.error = redact(explainMissingSsh(error, missingSsh, Object.keys(request.ssh ?? {})));
      }
      outcome.tail = outcome.tail.map(redact);
      return outcome;
    } finally {
      (await opening.catch(() => undefined))?.close();
    }
  }

  private async run(request: BuildRequest, opening: OpeningSession, codec: Codec, synced: Set<string> | undefined, onLine: (line: string) => void): Promise<BuildOutcome> {
    stopIfAborted(request);
    const tracker = new BuildKitStatusTracker();
    const buildId = randomUUID();
    const connection = new AbortController();
    const onAbort = () => void this.cancel(buildId).finally(() => connection.abort(request.signal?.reason));
    request.signal?.addEventListener("abort", onAbort, { once: true });
    let session: BuildSession;
    try {
      const starting = this.start(request, opening.id, buildId, synced, connection.signal, onLine);
      try {
        session = await opening;
        traceMark("buildkit: session open (POST /session hijacked, HTTP/2 served)");
      } catch (error) {
        // The build waits for a session that will not come: stop it.
        starting.catch(() => undefined);
        await this.cancel(buildId);
        connection.abort();
        return { tail: [], error: `could not open a BuildKit session with the Docker daemon: ${buildConnectionError(error, "the BuildKit build")}` };
      }
      const stream = await starting;
      traceMark("buildkit: POST /build answered");
      let first = true;
      const onEvent = (event: StreamEvent) => {
        if (first && event.id === TRACE) traceMark("buildkit: the daemon's first status");
        first &&= event.id !== TRACE;
        this.onEvent(event, tracker, codec, onLine);
      };
      await readProgress(stream, onEvent).catch((error: unknown) => {
        // An error line ends a failed build: the tracker has it, the outcome says it.
        if (!(error instanceof StreamError)) throw error;
      });
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason ?? error;
      return tracker.interrupted(buildConnectionError(error, "the BuildKit build"));
    } finally {
      request.signal?.removeEventListener("abort", onAbort);
    }
    traceMark("buildkit: build stream ended");
    if (request.signal?.aborted) throw request.signal.reason;
    const outcome = tracker.outcome();
    const dropped = session.dropped();
    if (dropped === undefined || outcome.imageId !== undefined) return outcome;
    const said = outcome.error ? `; the daemon said: ${outcome.error}` : "";
    return tracker.interrupted(`the BuildKit session connection to the Docker daemon dropped during the build (${dropped})${said}`);
  }

  /**
   * Start the build with the context served over the session; a daemon that refuses that
   * request before asking for any file gets the context as a tar instead, and the line says why.
   */
  private async start(request: BuildRequest, sessionId: string, buildId: string, synced: Set<string> | undefined, signal: AbortSignal, onLine: (line: string) => void) {
    if (synced) {
      try {
        traceMark("buildkit: POST /build sent");
        return await dialBuild(this.docker, buildQuery(request, sessionId, buildId, "session"), undefined, signal);
      } catch (error) {
        if (signal.aborted || synced.size > 0) throw error;
        onLine(`the daemon refused the build context served over the BuildKit session (${buildConnectionError(error, "the BuildKit build")}); sending it as a tar instead`);
      }
    }
    const tar = await contextTar(request.context.dir, request.context.entries, request.dockerfile);
    return dialBuild(this.docker, buildQuery(request, sessionId, buildId), tar, signal);
  }

  private onEvent(event: StreamEvent, tracker: BuildKitStatusTracker, codec: Codec, onLine: (line: string) => void): void {
    if (event.id === TRACE && typeof event.aux === "string") {
      for (const line of tracker.push(decodeStatus(codec, event.aux))) onLine(line);
    } else if (event.id === IMAGE_ID) {
      const id = (event.aux as { ID?: unknown } | undefined)?.ID;
      if (typeof id === "string") tracker.image(id);
    } else if (typeof event.stream === "string" && event.stream.trim()) {
      onLine(event.stream.trim());
    }
    if (event.errorDetail || event.error) tracker.error(event.errorDetail?.message ?? event.error ?? "unknown error");
  }

  /**
   * `POST /build/cancel`: the daemon stops the build's steps (what the Docker CLI does on
   * Ctrl-C). A daemon that does not answer within CANCEL_WAIT_MS does not hold the abort up.
   */
  private async cancel(buildId: string): Promise<void> {
    const modem = this.docker.modem as unknown as { dial(options: object, callback: (error: unknown) => void): void };
    await new Promise<void>((resolve) => {
      setTimeout(resolve, CANCEL_WAIT_MS).unref();
      modem.dial({ path: "/build/cancel?", method: "POST", options: { id: buildId }, statusCodes: { 200: true, 404: true, 500: "server error" } }, () => resolve());
    });
  }
}
