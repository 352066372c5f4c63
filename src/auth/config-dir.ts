import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** The user's home directory: `$HOME`, else the account's home. */
export function homeDir(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir();
}

/**
 * The Docker CLI's configuration directory: `$DOCKER_CONFIG`, else `$HOME/.docker`. It holds
 * config.json (credentials, `currentContext`), the contexts and the default TLS files.
 * GitLab Runner does not read `DOCKER_CONFIG`: where runner-kit imitates the runner (smoke)
 * the credentials come from `$HOME/.docker` (see loadAuthSources' `configDir`).
 */
export function dockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || join(homeDir(env), ".docker");
}

/** Whether both rules name the same folder (DOCKER_CONFIG unset, or set to `$HOME/.docker`). */
export function configDirRulesAgree(env: NodeJS.ProcessEnv): boolean {
  return !env.DOCKER_CONFIG || resolve(env.DOCKER_CONFIG) === resolve(homeDir(env), ".docker");
}
