import { encodeAuthHeader } from "./auth-header.js";
import { DEFAULT_DOMAIN } from "../reference/normalize.js";
import { DOCKER_HUB_SERVER_ADDRESS, hostOfRegistryPath } from "./keys.js";
import type { RegistryCredential } from "./types.js";

/** The auth object the Docker Engine takes (types/registry AuthConfig): password or identity token. */
export type DaemonAuthConfig =
  | { username: string; password: string; serveraddress: string }
  | { identitytoken: string; serveraddress: string };

/**
 * What dockerode takes as `authconfig` for push and pull (`X-Registry-Auth`); docker-modem
 * turns it into URL-safe base64 itself.
 */
export function dockerAuthConfig(credential: RegistryCredential): DaemonAuthConfig {
  const serveraddress = serverAddressFor(credential);
  if (credential.identityToken) return { identitytoken: credential.identityToken, serveraddress };
  return { username: credential.username, password: credential.password, serveraddress };
}

/**
 * The map the daemon reads from `X-Registry-Config` when a build pulls `FROM` images:
 * registry host → auth config, Docker Hub under "https://index.docker.io/v1/". The daemon
 * matches by host only, so when several paths of one host have credentials the first given wins.
 */
export function registryConfigMap(credentials: RegistryCredential[]): Record<string, DaemonAuthConfig> {
  const map: Record<string, DaemonAuthConfig> = {};
  for (const credential of credentials) {
    const key = daemonKey(credential.registry);
    if (!(key in map)) map[key] = dockerAuthConfig(credential);
  }
  return map;
}

/**
 * The `X-Registry-Config` header value: URL-safe base64 *with padding* of the JSON map, as the
 * daemon decodes it (Go's base64.URLEncoding; a value it cannot decode is silently ignored).
 *
 * docker-modem encodes a plain `registryconfig` object with standard base64, which the daemon
 * cannot always decode, so pass the pre-encoded value:
 *   docker.buildImage(tar, { registryconfig: { base64: registryConfigHeader(credentials) } })
 */
export function registryConfigHeader(credentials: RegistryCredential[]): string {
  return encodeAuthHeader(registryConfigMap(credentials));
}

function daemonKey(registryPath: string): string {
  const host = hostOfRegistryPath(registryPath);
  return host === DEFAULT_DOMAIN ? DOCKER_HUB_SERVER_ADDRESS : host;
}

function serverAddressFor(credential: RegistryCredential): string {
  return hostOfRegistryPath(credential.registry) === DEFAULT_DOMAIN ? DOCKER_HUB_SERVER_ADDRESS : credential.serverAddress;
}
