import type { DockerConfigFile } from "../auth/types.js";
import { configError } from "../common/errors.js";
import { writeFileAtomic } from "../common/atomic-write.js";
import type { StaticCredential } from "./credentials.js";
import { authsFor } from "./docker-auth.js";
import { authKey, ecrHostProblem, helperNameProblem, registryHostProblem } from "../project/runner-hosts.js";

/**
 * docker/config.json for the runner host (`${GITLAB_RUNNER_HOME}/.docker/config.json`) and
 * for the runner image: credHelpers per ECR host by default, credsStore only when asked,
 * auths for static credentials. Shared by `runner-kit config` and the runner-aws template.
 */
export interface DockerConfigSpec {
  /** ECR hosts, each served by docker-credential-ecr-login. */
  ecrHosts?: string[];
  /** Other host → helper name (without the docker-credential- prefix). */
  credHelpers?: Record<string, string>;
  /** One helper for every registry. */
  credsStore?: string;
  /** Static credentials, written as auths entries. */
  auths?: StaticCredential[];
}

export interface DockerConfigResult {
  config: DockerConfigFile;
  warnings: string[];
  /** True when the file carries credentials (auths): write it 0600. */
  hasCredentials: boolean;
}

export const ECR_HELPER = "ecr-login";

export function credsStoreWarning(store: string): string {
  return (
    `credsStore "${store}" applies to every registry: Docker asks docker-credential-${store} for Docker Hub and any other ` +
    `registry without its own entry too, so pulls from Docker Hub fail with it. Prefer credHelpers per registry host ` +
    `(runner.config_json.ecr lists ECR hosts for docker-credential-ecr-login)`
  );
}

/** Validate everything, then build config.json. `where` names the spec's origin for errors. */
export function buildDockerConfig(spec: DockerConfigSpec, where = "docker/config.json"): DockerConfigResult {
  const warnings: string[] = [];
  const problems: string[] = [];
  const credHelpers: Record<string, string> = {};
  const add = (host: string, helper: string) => {
    const existing = credHelpers[host];
    if (existing !== undefined && existing !== helper) {
      problems.push(`registry "${host}" is given two credential helpers, "${existing}" and "${helper}"`);
    }
    credHelpers[host] = helper;
  };
  for (const host of spec.ecrHosts ?? []) {
    const problem = ecrHostProblem(host);
    if (problem) problems.push(problem);
    else add(host, ECR_HELPER);
  }
  for (const [host, helper] of Object.entries(spec.credHelpers ?? {})) {
    const problem = registryHostProblem(host) ?? helperNameProblem(helper);
    if (problem) problems.push(problem);
    else add(host, helper);
  }
  if (spec.credsStore !== undefined) {
    const problem = helperNameProblem(spec.credsStore);
    if (problem) problems.push(problem);
    else warnings.push(credsStoreWarning(spec.credsStore));
  }
  const seen = new Map<string, StaticCredential>();
  for (const credential of spec.auths ?? []) {
    const problem = registryHostProblem(credential.host);
    if (problem) problems.push(problem);
    const key = authKey(credential.host);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, credential);
    else if (first.username !== credential.username || first.password !== credential.password) {
      warnings.push(
        `registry "${credential.host}" has different credentials for different runners (${first.from}, ${credential.from}); ` +
          `one config.json holds one login per registry, so it keeps the first (${first.from}). Each runner's DOCKER_AUTH_CONFIG keeps its own`,
      );
    }
  }
  if (problems.length > 0) {
    throw configError(`cannot write Docker config.json: ${problems.join("; ")}`, { where });
  }

  const config: DockerConfigFile = {};
  const auths = authsFor(spec.auths ?? []);
  if (Object.keys(auths).length > 0) config.auths = auths;
  if (spec.credsStore !== undefined) config.credsStore = spec.credsStore;
  if (Object.keys(credHelpers).length > 0) config.credHelpers = sortKeys(credHelpers);
  return { config, warnings, hasCredentials: config.auths !== undefined };
}

function sortKeys<T>(map: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function dockerConfigText(config: DockerConfigFile): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** 0600 when the file holds credentials, else 0644. */
export function dockerConfigMode(config: DockerConfigFile): number {
  return config.auths !== undefined && Object.keys(config.auths).length > 0 ? 0o600 : 0o644;
}

/** Write config.json atomically with the right mode. */
export async function writeDockerConfig(path: string, config: DockerConfigFile): Promise<void> {
  await writeFileAtomic(path, dockerConfigText(config), { mode: dockerConfigMode(config) });
}
