import type { DockerAuthEntry, DockerConfigFile } from "../auth/types.js";
import type { StaticCredential } from "./credentials.js";
import { authKey } from "../project/runner-hosts.js";

/** `{ auth: base64("user:password") }` — UTF-8, no trailing newline, as `docker login` stores it. */
export function authEntry(username: string, password: string): DockerAuthEntry {
  return { auth: Buffer.from(`${username}:${password}`, "utf8").toString("base64") };
}

/** `auths` keyed by registry (Docker Hub under https://index.docker.io/v1/), first entry per key wins. */
export function authsFor(credentials: StaticCredential[]): Record<string, DockerAuthEntry> {
  const auths: Record<string, DockerAuthEntry> = {};
  for (const credential of credentials) {
    const key = authKey(credential.host);
    auths[key] ??= authEntry(credential.username, credential.password);
  }
  return auths;
}

/** The DOCKER_AUTH_CONFIG value GitLab Runner reads: `{"auths":{…}}` as compact JSON. */
export function dockerAuthConfigValue(credentials: StaticCredential[]): string {
  const config: DockerConfigFile = { auths: authsFor(credentials) };
  return JSON.stringify(config);
}
