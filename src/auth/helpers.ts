import { execa } from "execa";
import { configError } from "../common/errors.js";

/**
 * The docker-credential-helpers protocol (client/client.go): `docker-credential-<name> get`
 * reads the server URL on stdin and prints {"ServerURL","Username","Secret"}; `list` prints
 * a JSON map of server URL → user name. Errors are printed on stdout with exit code 1;
 * "credentials not found in native keychain" means there is nothing stored.
 */

export const HELPER_PREFIX = "docker-credential-";
export const NOT_FOUND_MESSAGE = "credentials not found in native keychain";
/** The user name a helper stores identity tokens under. */
export const TOKEN_USERNAME = "<token>";
export const DEFAULT_HELPER_TIMEOUT_MS = 30_000;
const MAX_OUTPUT = 1024 * 1024;

export interface HelperRunOptions {
  /** The helper's environment; its PATH is where the helper is looked up. */
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HelperCredentials {
  username: string;
  password: string;
  identityToken?: string;
}

/** A helper that could not be used; the message names it and never carries a secret. */
export class HelperError extends Error {
  constructor(
    message: string,
    /** The helper program, e.g. "docker-credential-ecr-login". */
    readonly helper: string,
  ) {
    super(message);
    this.name = "HelperError";
  }
}

/** Thrown when the caller's signal stopped a helper; resolution stops rather than skipping the source. */
export class HelperAbortedError extends Error {
  constructor(program: string) {
    super(`${program} was stopped: the operation was aborted`);
    this.name = "HelperAbortedError";
  }
}

/** A helper name with a path in it would run an arbitrary program: a hard error, as in GitLab Runner. */
export function checkHelperName(name: string, where: string): void {
  if (name === "" || name.includes("/") || name.includes("\\")) {
    throw configError(
      `the credential helper name ${JSON.stringify(name)} in ${where} is not a plain name: path traversal is not allowed`,
      { hint: `name the helper by its suffix only, e.g. "ecr-login" for ${HELPER_PREFIX}ecr-login, and put that program on PATH` },
    );
  }
}

/** `get`: the credentials stored for serverUrl, or undefined when the helper has none. */
export async function helperGet(name: string, serverUrl: string, options: HelperRunOptions): Promise<HelperCredentials | undefined> {
  const out = await runHelper(name, "get", serverUrl, options, true);
  if (out === undefined) return undefined;
  const data = parseJson(out);
  if (!isRecord(data) || typeof data.Username !== "string" || typeof data.Secret !== "string") {
    throw new HelperError(`${HELPER_PREFIX}${name} get printed something that is not the credentials JSON {"ServerURL","Username","Secret"}`, HELPER_PREFIX + name);
  }
  if (data.Username === TOKEN_USERNAME) return { username: "", password: "", identityToken: data.Secret };
  return { username: data.Username, password: data.Secret };
}

/** `list`: the server URLs the helper holds credentials for. */
export async function helperList(name: string, options: HelperRunOptions): Promise<string[]> {
  const out = (await runHelper(name, "list", "unused", options, false)) ?? "{}";
  const data = parseJson(out);
  if (!isRecord(data) || Object.values(data).some((v) => typeof v !== "string")) {
    throw new HelperError(`${HELPER_PREFIX}${name} list printed something that is not a JSON map of server URL to user name`, HELPER_PREFIX + name);
  }
  return Object.keys(data);
}

/** Run one helper action; undefined when it reports "not found" (for get). */
async function runHelper(name: string, action: string, input: string, options: HelperRunOptions, notFoundOk: boolean): Promise<string | undefined> {
  const program = HELPER_PREFIX + name;
  let timedOut = false;
  const child = execa(program, [action], {
    input,
    env: options.env,
    extendEnv: false,
    reject: false,
    stripFinalNewline: true,
    maxBuffer: MAX_OUTPUT,
    // Its own process group, so a timeout also stops whatever the helper started.
    detached: true,
  });
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, options.timeoutMs);
  const onAbort = () => killGroup(child.pid);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  let result;
  try {
    result = await child;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
  // Stopped on purpose (Ctrl-C): not a helper failure, the whole resolution stops.
  if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new HelperAbortedError(program);
  if (timedOut) {
    throw new HelperError(`${program} ${action} did not answer within ${formatMs(options.timeoutMs)} and was stopped`, program);
  }
  const code = (result as { code?: string }).code;
  if (code === "ENOENT") throw new HelperError(`${program} was not found on PATH`, program);
  if (code === "EACCES") throw new HelperError(`${program} on PATH is not executable`, program);
  const stdout = String(result.stdout ?? "").trim();
  if (result.exitCode !== 0 || result.failed) {
    if (notFoundOk && stdout === NOT_FOUND_MESSAGE) return undefined;
    // A JSON answer with a failure status may hold credentials: never repeat it.
    const said = stdout.startsWith("{") ? "" : firstLine(stdout) || firstLine(String(result.stderr ?? ""));
    const how = result.exitCode !== undefined ? `exit code ${result.exitCode}` : (result.signal ?? "failed to start");
    throw new HelperError(`${program} ${action} failed (${how})${said ? `: ${said}` : ""}`, program);
  }
  return stdout;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function firstLine(text: string): string {
  const line = text.trim().split("\n", 1)[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
