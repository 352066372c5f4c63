/**
 * The encoding the daemon expects for X-Registry-Auth and X-Registry-Config: URL-safe base64
 * (with padding: Go's base64.URLEncoding) of the JSON value.
 */
export function encodeAuthHeader(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}
