/**
 * The daemon's own words for a failed Engine API call: dockerode and the thin client both
 * put the daemon's JSON body on the error as `json` ({"message": "…"}); other errors
 * (connection, abort) only have their message.
 */
export function daemonMessage(error: unknown): string | undefined {
  const json = (error as { json?: { message?: unknown } } | null)?.json;
  return json && typeof json.message === "string" ? json.message : undefined;
}

/** The daemon's message when it sent one, else the error's own message. */
export function daemonErrorText(error: unknown): string {
  return daemonMessage(error) ?? (error instanceof Error ? error.message : String(error));
}

/** Node's words for a connection the daemon dropped mid-response ("aborted", ECONNRESET, …). */
const DROPPED = /^(aborted|socket hang up)$|ECONNRESET|EPIPE|ECONNREFUSED/;

/**
 * What a failed build request means: the daemon's own words, or, when the connection broke
 * mid-response, that the daemon stopped or restarted during `what` ("the build", "the
 * BuildKit build") and what to do.
 */
export function buildConnectionError(error: unknown, what: string): string {
  const fromDaemon = daemonMessage(error);
  if (fromDaemon !== undefined) return fromDaemon;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code ?? "";
  if (DROPPED.test(message) || DROPPED.test(code)) {
    return `the Docker daemon closed the connection during ${what} (${message}), so it stopped or restarted; check that it is running, then run the build again`;
  }
  return message;
}
