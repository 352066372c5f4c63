/**
 * What `runner-kit smoke` (command.ts) and `build --smoke` (for-image.ts) share before a
 * run: the job — a `file#job`, else the built-in runner job — and the run's dependencies,
 * with pulls authenticated like every other runner-kit pull. Light to import: the job
 * model and the auth modules load on first use.
 */
import { readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { createLazyCredentialResolver, type ResolveAuth } from "../auth/lazy-resolver.js";
import { configError } from "../common/errors.js";
import type { SecretSet } from "../common/secrets.js";
import type { EngineApi } from "../engine/engine-api.js";
import type { Trace } from "../common/trace.js";
import type { SmokeJob } from "./job/parse.js";
import type { VariableMap } from "./job/variables.js";
import type { SmokeDeps } from "./run.js";

/**
 * The pull-credential resolver: GitLab Runner's sources in order (DOCKER_AUTH_CONFIG, then
 * the user's Docker config), helpers run once, every password registered as a secret;
 * loaded on the first pull only, so a run with local images never pays for it.
 */
export function registryAuthResolver(env: NodeJS.ProcessEnv, secrets: SecretSet, warn: (m: string) => void, signal?: AbortSignal): ResolveAuth {
  const resolver = createLazyCredentialResolver({ env, secrets, warn, ...(signal ? { signal } : {}) });
  return (image) => resolver.forImage(image);
}

/** The job `ref` names (relative to `cwd`), or the built-in runner job when there is none. */
export async function loadJob(ref: { file: string; job?: string } | undefined, cwd: string): Promise<SmokeJob> {
  const { BUILTIN_JOB_FILE, loadSmokeJob } = await import("./job/load.js");
  return loadSmokeJob(ref?.file ?? BUILTIN_JOB_FILE, ref?.job, cwd);
}

export interface SmokeDepsInput {
  docker: EngineApi;
  /** The job log, line by line. */
  out: (text: string) => void;
  env: NodeJS.ProcessEnv;
  secrets: SecretSet;
  /** Credential warnings (a missing helper). */
  warn: (message: string) => void;
  signal?: AbortSignal;
  /** The caller's credential resolver (build's), so helpers run once per command; else one of its own. */
  resolveAuth?: ResolveAuth;
  trace?: Trace;
}

export function smokeDeps(o: SmokeDepsInput): SmokeDeps {
  return {
    docker: o.docker,
    out: o.out,
    ...(o.signal ? { signal: o.signal } : {}),
    resolveAuth: o.resolveAuth ?? registryAuthResolver(o.env, o.secrets, o.warn, o.signal),
    ...(o.trace ? { trace: o.trace } : {}),
  };
}

/**
 * The run's CI/CD variables from `--env-file FILE` and `--variable KEY[=VALUE]` (job/cicd-variables.ts);
 * every masked value is registered as a secret before anything runs, so no output shows it.
 */
export async function loadCicdVariables(o: { envFile?: string; variables?: string[]; cwd: string; env: NodeJS.ProcessEnv; secrets: SecretSet }): Promise<VariableMap | undefined> {
  if (o.envFile === undefined && (o.variables ?? []).length === 0) return undefined;
  const { cicdVariables, parseEnvFile } = await import("./job/cicd-variables.js");
  let envFile;
  if (o.envFile !== undefined) {
    const path = isAbsolute(o.envFile) ? o.envFile : join(o.cwd, o.envFile);
    const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw configError(`cannot read the --env-file: ${error.code === "ENOENT" ? "no such file" : error.message}`, { where: o.envFile, hint: "give a dotenv file of KEY=VALUE lines" });
    });
    envFile = parseEnvFile(text, o.envFile);
  }
  const { values, masked } = cicdVariables({ ...(envFile ? { envFile } : {}), flags: o.variables ?? [], env: o.env });
  for (const name of masked) o.secrets.add(values[name]);
  return values;
}
