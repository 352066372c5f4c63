import type Docker from "dockerode";
import { sleep } from "../common/sleep.js";
import { daemonErrorText } from "../engine/daemon-error.js";
import { readProgress, StreamError, type StreamEvent } from "../engine/progress.js";
import type { DaemonAuthConfig } from "../auth/daemon-auth.js";

export type PushErrorKind = "auth" | "transient" | "other";

export class PushError extends Error {
  constructor(
    message: string,
    readonly kind: PushErrorKind,
    readonly attempts: number,
  ) {
    super(message);
    this.name = "PushError";
  }
}

const AUTH = /unauthorized|authentication required|no basic auth credentials|denied|incorrect username or password/i;
const TRANSIENT =
  /connection refused|connection reset|broken pipe|\bEOF\b|i\/o timeout|timeout|TLS handshake|no route to host|server gave HTTP response|unexpected HTTP status: 5\d\d|HTTP status: 5\d\d|50[234]|Service Unavailable|Bad Gateway|ECONNRESET|ECONNREFUSED|EPIPE|socket hang up/i;

/** Which failures are worth another attempt: network blips and 5xx, never refused credentials. */
export function classifyPushError(message: string): PushErrorKind {
  if (AUTH.test(message)) return "auth";
  if (TRANSIENT.test(message)) return "transient";
  return "other";
}

/** The manifest digest from a push stream: the status line, or aux.Digest where the daemon sends it. */
export function pushedDigest(events: StreamEvent[], tag: string): string | undefined {
  for (const event of events) {
    const aux = event.aux as { Tag?: string; Digest?: string } | undefined;
    if (aux && typeof aux.Digest === "string" && (aux.Tag === undefined || aux.Tag === tag)) return aux.Digest;
  }
  for (const event of events) {
    const m = /^(\S+): digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(event.status ?? "");
    if (m && m[1] === tag) return m[2];
  }
  for (const event of events) {
    const m = /digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(event.status ?? "");
    if (m) return m[1];
  }
  return undefined;
}

export interface PushOptions {
  auth: DaemonAuthConfig | undefined;
  /** Attempts in all (first try included); default 5. */
  attempts?: number;
  /** Delay before the second attempt; doubled each time, capped at 30 s. Default 2 s (so 2 + 4 + 8 + 16 s in all). */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (info: { attempt: number; attempts: number; delayMs: number; error: string }) => void;
  onEvent?: (event: StreamEvent) => void;
  signal?: AbortSignal;
}

function describe(error: unknown): string {
  if (error instanceof StreamError) return error.message;
  return daemonErrorText(error);
}

/**
 * The default retry budget: long enough (about 30 s of pauses) for a registry that restarts
 * — a redeploy, an OOM kill — to come back, short enough to fail a CI job clearly.
 */
export const DEFAULT_PUSH_ATTEMPTS = 5;
export const DEFAULT_PUSH_BACKOFF_MS = 2000;

/**
 * Push repository:tag through the daemon and return the manifest digest. Transient
 * failures are retried with exponential backoff (bounded, each retry reported through
 * onRetry); refused credentials and other errors fail at once.
 */
export async function pushTag(docker: Docker, repository: string, tag: string, options: PushOptions): Promise<string> {
  const attempts = options.attempts ?? DEFAULT_PUSH_ATTEMPTS;
  // The pause between attempts listens to Ctrl-C: an abort ends it at once.
  const pause = options.sleep ?? ((ms: number) => sleep(ms, options.signal));
  let delay = options.backoffMs ?? DEFAULT_PUSH_BACKOFF_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      const stream = await docker.getImage(repository).push({
        tag,
        // X-Registry-Auth is required; docker-modem encodes it URL-safe. {} = anonymous.
        authconfig: options.auth ?? {},
        ...(options.signal ? { abortSignal: options.signal } : {}),
      } as unknown as Docker.ImagePushOptions);
      const events = await readProgress(stream, options.onEvent);
      const digest = pushedDigest(events, tag);
      if (!digest) throw new PushError(`the daemon pushed ${repository}:${tag} but reported no digest`, "other", attempt);
      return digest;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      if (error instanceof PushError) throw error;
      const message = describe(error);
      const kind = classifyPushError(message);
      if (kind !== "transient" || attempt >= attempts) throw new PushError(message, kind, attempt);
      options.onRetry?.({ attempt: attempt + 1, attempts, delayMs: delay, error: message });
      await pause(delay);
      delay = Math.min(delay * 2, 30_000);
    }
  }
}
