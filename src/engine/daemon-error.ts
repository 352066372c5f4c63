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
