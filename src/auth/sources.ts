import { readFile as fsReadFile } from "node:fs/promises";
import { join } from "node:path";
import { configError } from "../common/errors.js";
import { parseDockerConfig } from "./config-file.js";
import { dockerConfigDir } from "./config-dir.js";
import type { AuthSource } from "./types.js";

export const DOCKER_AUTH_CONFIG = "DOCKER_AUTH_CONFIG";

/**
 * Which folder holds config.json: GitLab Runner's rule (`$HOME/.docker`, what smoke imitates)
 * or the docker CLI's (`$DOCKER_CONFIG` when set, else `$HOME/.docker`: runner-kit's own
 * builds, pushes and up-to-date checks).
 */
export type ConfigDirRule = "gitlab-runner" | "docker-cli";

export interface LoadAuthSourcesOptions {
  /** Environment holding DOCKER_AUTH_CONFIG, HOME and DOCKER_CONFIG. */
  env: NodeJS.ProcessEnv;
  /** Home directory whose .docker/config.json or .dockercfg is read. Defaults to env.HOME. */
  homeDir?: string;
  /** Default "gitlab-runner": `DOCKER_CONFIG` is not read. */
  rule?: ConfigDirRule;
  /** Reads a file as UTF-8; rejects with code ENOENT when it does not exist. */
  readFile?: (path: string) => Promise<string>;
}

/**
 * The places credentials come from, in GitLab Runner's precedence order:
 * `DOCKER_AUTH_CONFIG`, then `$HOME/.docker/config.json` (with the "docker-cli" rule
 * `$DOCKER_CONFIG/config.json` when it is set), or `$HOME/.dockercfg` when there is no
 * config.json. Helpers are not run here; `resolveRegistryAuth` runs them.
 */
export async function loadAuthSources(options: LoadAuthSourcesOptions): Promise<AuthSource[]> {
  const { env } = options;
  const readFile = options.readFile ?? ((path: string) => fsReadFile(path, "utf8"));
  const sources: AuthSource[] = [];

  const fromEnv = env[DOCKER_AUTH_CONFIG];
  if (fromEnv !== undefined && fromEnv.trim() !== "") {
    sources.push({ source: DOCKER_AUTH_CONFIG, config: parseDockerConfig(fromEnv, `the ${DOCKER_AUTH_CONFIG} variable`) });
  }

  const home = options.homeDir ?? env.HOME;
  const configDir = options.rule === "docker-cli" && env.DOCKER_CONFIG ? dockerConfigDir(env) : home ? join(home, ".docker") : undefined;
  const configJson = configDir && join(configDir, "config.json");
  const text = configJson ? await readIfExists(readFile, configJson) : undefined;
  if (configJson && text !== undefined) {
    sources.push({ source: configJson, config: parseDockerConfig(text, configJson) });
  } else if (home) {
    const legacy = join(home, ".dockercfg");
    const legacyText = await readIfExists(readFile, legacy);
    if (legacyText !== undefined) sources.push({ source: legacy, config: parseDockerConfig(legacyText, legacy, { legacy: true }) });
  }
  return sources;
}

async function readIfExists(readFile: (path: string) => Promise<string>, path: string): Promise<string | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw configError(`cannot read the Docker credentials file ${path} (${code ?? String(error)})`, {
      hint: "make it readable by this user, or remove it",
    });
  }
}
