/** One registry's credentials as the daemon's AuthConfig JSON expects them. */
export interface DaemonAuthConfig {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress?: string;
}

/** URL-safe base64 with padding: Go's base64.URLEncoding, which the daemon decodes. */
export function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

/**
 * The X-Registry-Config header value for a build: registry key → credentials, for the
 * registries of the FROM images. Docker Hub must be keyed "https://index.docker.io/v1/".
 */
export function encodeRegistryConfig(configs: Record<string, DaemonAuthConfig>): string | undefined {
  return Object.keys(configs).length === 0 ? undefined : base64UrlJson(configs);
}

/** The daemon's AuthConfig for a resolved credential (identity tokens go as identitytoken). */
export function daemonAuthConfig(credential: { username: string; password: string; serverAddress: string; identityToken?: string }): DaemonAuthConfig {
  if (credential.identityToken) return { identitytoken: credential.identityToken, serveraddress: credential.serverAddress };
  return { username: credential.username, password: credential.password, serveraddress: credential.serverAddress };
}

/** The key a registry's credentials go under in X-Registry-Config. */
export function registryConfigKey(domain: string): string {
  return domain === "docker.io" ? "https://index.docker.io/v1/" : domain;
}
