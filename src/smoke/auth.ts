/**
 * The pull-credential resolver smoke injects into ensureImage: GitLab Runner's sources in
 * order (DOCKER_AUTH_CONFIG, then the user's Docker config.json) resolved by the auth
 * room's resolveRegistryAuth. Every password it returns is registered as a secret.
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { resolveRegistryAuth } from "../auth/resolve.js";
import type { AuthSource, DockerConfigFile } from "../auth/types.js";
import { isRunnerKitError } from "../errors.js";
import type { SecretSet } from "../secrets.js";
import type { ResolveAuth } from "./pull.js";

async function loadSources(env: NodeJS.ProcessEnv, warn: (m: string) => void): Promise<AuthSource[]> {
  const sources: AuthSource[] = [];
  if (env.DOCKER_AUTH_CONFIG) {
    try {
      sources.push({ source: "DOCKER_AUTH_CONFIG", config: JSON.parse(env.DOCKER_AUTH_CONFIG) as DockerConfigFile });
    } catch {
      warn("Failed to resolve credentials from DOCKER_AUTH_CONFIG: not valid JSON. Credentials from this source will not be used.");
    }
  }
  const file = join(env.DOCKER_CONFIG || join(env.HOME || homedir(), ".docker"), "config.json");
  try {
    sources.push({ source: file, config: JSON.parse(await readFile(file, "utf8")) as DockerConfigFile });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      warn(`Failed to resolve credentials from ${file}: ${(error as Error).message}. Credentials from this source will not be used.`);
    }
  }
  return sources;
}

export function registryAuthResolver(env: NodeJS.ProcessEnv, secrets: SecretSet, warn: (m: string) => void): ResolveAuth {
  let sources: Promise<AuthSource[]> | undefined;
  return async (image) => {
    sources ??= loadSources(env, warn);
    const list = await sources;
    if (list.length === 0) return undefined;
    try {
      const credential = await resolveRegistryAuth(image, list, { env, warn });
      if (credential) {
        secrets.addCredential(credential.username, credential.password);
        secrets.add(credential.identityToken);
      }
      return credential;
    } catch (error) {
      // Until the auth room lands, its stub says "not implemented": pull anonymously.
      if (isRunnerKitError(error) && /not yet implemented/.test(error.message)) {
        warn(`registry credentials are not resolved by this build of runner-kit; pulling ${image} anonymously`);
        return undefined;
      }
      throw error;
    }
  };
}
