/**
 * Defaults from a gitlab-runner config.toml (`--runner-config`): the first
 * `[[runners]]` entry's `[runners.docker]` image and `[[runners.docker.services]]`
 * (name, alias, command, entrypoint, environment as ["K=V"]), its `network_mode`, and
 * what decides feature flags: `[runners.feature_flags]` and `environment`.
 */
import { parse } from "smol-toml";
import { configError } from "../../common/errors.js";
import type { ImageSpec, ServiceSpec } from "./parse.js";

export interface RunnerDefaults {
  image?: ImageSpec;
  services: ServiceSpec[];
  /** `wait_for_services_timeout`, seconds (0 → 30; negative → no wait). */
  waitForServicesTimeout?: number;
  /** `[runners.docker] network_mode`: the network job and services join (not created, not removed). */
  networkMode?: string;
  /** `[runners] environment` as a map: job variables below the predefined and the job's own. */
  environment?: Record<string, string>;
  /** `[runners.feature_flags]`: these win over the same flag set as a variable. */
  featureFlags?: Record<string, boolean>;
}

/** ["K=V", …] as a map (entries without "=" are skipped, as the runner skips them). */
function keyValues(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const eq = kv.indexOf("=");
    if (eq > 0) out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

function featureFlags(value: unknown, file: string): Record<string, boolean> | undefined {
  if (value === undefined) return undefined;
  const table = value as Record<string, unknown>;
  if (typeof value !== "object" || value === null || Object.values(table).some((v) => typeof v !== "boolean")) {
    throw configError("[runners.feature_flags] must map flag names to true or false", { where: file });
  }
  return table as Record<string, boolean>;
}

function strings(value: unknown, what: string, file: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw configError(`${what} must be an array of strings`, { where: file });
  }
  return value as string[];
}

export function parseRunnerConfig(text: string, file: string): RunnerDefaults {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (error) {
    const e = error as { message?: string; line?: number; column?: number };
    throw configError(`not valid TOML: ${(e.message ?? String(error)).split("\n")[0]}`, { where: { file, line: e.line, column: e.column } });
  }
  const runners = doc.runners;
  if (!Array.isArray(runners) || runners.length === 0) {
    throw configError("the file has no [[runners]] entry", { where: file, hint: "give a gitlab-runner config.toml" });
  }
  const runner = runners[0] as Record<string, unknown>;
  const docker = (runner.docker ?? {}) as Record<string, unknown>;
  const out: RunnerDefaults = { services: [] };
  if (typeof docker.image === "string" && docker.image !== "") out.image = { name: docker.image };
  if (typeof docker.network_mode === "string" && docker.network_mode !== "") out.networkMode = docker.network_mode;
  const environment = strings(runner.environment, "[[runners]] environment", file);
  if (environment) out.environment = keyValues(environment);
  const flags = featureFlags(runner.feature_flags, file);
  if (flags) out.featureFlags = flags;
  if (typeof docker.wait_for_services_timeout === "number") out.waitForServicesTimeout = docker.wait_for_services_timeout;
  const services = docker.services ?? [];
  if (!Array.isArray(services)) {
    throw configError("[runners.docker] services must be [[runners.docker.services]] tables", { where: file });
  }
  for (const [i, raw] of services.entries()) {
    const svc = raw as Record<string, unknown>;
    if (typeof svc.name !== "string") throw configError(`[[runners.docker.services]] #${i + 1} has no name`, { where: file });
    const spec: ServiceSpec = { name: svc.name, variables: {} };
    if (typeof svc.alias === "string") spec.alias = svc.alias;
    const command = strings(svc.command, "services command", file);
    if (command) spec.command = command;
    const entrypoint = strings(svc.entrypoint, "services entrypoint", file);
    if (entrypoint) spec.entrypoint = entrypoint;
    Object.assign(spec.variables, keyValues(strings(svc.environment, "services environment", file) ?? []));
    out.services.push(spec);
  }
  return out;
}
