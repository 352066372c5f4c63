/**
 * Defaults from a gitlab-runner config.toml (`--runner-config`): the first
 * `[[runners]]` entry's `[runners.docker]` image and `[[runners.docker.services]]`
 * (name, alias, command, entrypoint, environment as ["K=V"]).
 */
import { parse } from "smol-toml";
import { configError } from "../../common/errors.js";
import type { ImageSpec, ServiceSpec } from "./parse.js";

export interface RunnerDefaults {
  image?: ImageSpec;
  services: ServiceSpec[];
  /** `wait_for_services_timeout`, seconds (0 → 30; negative → no wait). */
  waitForServicesTimeout?: number;
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
  const docker = ((runners[0] as Record<string, unknown>).docker ?? {}) as Record<string, unknown>;
  const out: RunnerDefaults = { services: [] };
  if (typeof docker.image === "string" && docker.image !== "") out.image = { name: docker.image };
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
    for (const kv of strings(svc.environment, "services environment", file) ?? []) {
      const eq = kv.indexOf("=");
      if (eq > 0) spec.variables[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    out.services.push(spec);
  }
  return out;
}
