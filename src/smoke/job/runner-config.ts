/**
 * What smoke takes from a gitlab-runner config.toml (`--runner-config`) or from the runner
 * section runner-kit config writes (`runnerDefaultsFromEntry`, one parser for both): the
 * chosen `[[runners]]` entry's `environment` (job variables) and `[runners.feature_flags]`,
 * its `[runners.docker]` image, `network_mode`, `[[runners.docker.services]]` (name, alias,
 * command, entrypoint, environment as ["K=V"]), `wait_for_services_timeout`, and the
 * container settings of runner-docker.ts.
 */
import { parse } from "smol-toml";
import { configError, usageError } from "../../common/errors.js";
import { didYouMean } from "../../common/nearest.js";
import type { ImageSpec, ServiceSpec } from "./parse.js";
import { parseRunnerDocker, type RunnerDocker } from "./runner-docker.js";
import type { VariableMap } from "./variables.js";

export interface RunnerDefaults {
  /** Where the settings came from, for messages: the file, and the runner's name when it has one. */
  source: string;
  /** The [[runners]] entry's name, when it has one. */
  name?: string;
  image?: ImageSpec;
  services: ServiceSpec[];
  /** `wait_for_services_timeout`, seconds (0 → 30; negative → no wait). */
  waitForServicesTimeout?: number;
  /** `[[runners]] environment`: job variables, before the predefined and the job's own. */
  environment: VariableMap;
  docker: RunnerDocker;
  /** Keys smoke cannot honour, one sentence each. */
  warnings: string[];
  /** `[runners.docker] network_mode`: the network job and services join (not created, not removed). */
  networkMode?: string;
  /** `[runners.feature_flags]`: these win over the same flag set as a variable. */
  featureFlags?: Record<string, boolean>;
}

function featureFlags(value: unknown, file: string): Record<string, boolean> | undefined {
  if (value === undefined) return undefined;
  const table = value as Record<string, unknown>;
  if (typeof value !== "object" || value === null || Object.values(table).some((v) => typeof v !== "boolean")) {
    throw configError("[runners.feature_flags] must map flag names to true or false", { where: file });
  }
  return table as Record<string, boolean>;
}

/** [[runners]] keys that change what a job does and that smoke does not apply. */
const JOB_AFFECTING_RUNNER_KEYS = ["pre_get_sources_script", "post_get_sources_script", "pre_build_script", "post_build_script", "builds_dir", "cache_dir", "shell", "clone_url"];

function strings(value: unknown, what: string, file: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw configError(`${what} must be an array of strings`, { where: file });
  }
  return value as string[];
}

/** gitlab-runner's ["K=V"] list → a map (entries without "=" are ignored, as the runner does). */
function keyValues(list: string[] | undefined): VariableMap {
  const out: VariableMap = {};
  for (const kv of list ?? []) {
    const eq = kv.indexOf("=");
    if (eq > 0) out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

/** Parse a config.toml and take the [[runners]] entry named `runner` (or the only one). */
export function parseRunnerConfig(text: string, file: string, runner?: string): RunnerDefaults {
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
  return runnerDefaultsFromEntry(chooseRunner(runners as Record<string, unknown>[], file, runner), file);
}

function chooseRunner(runners: Record<string, unknown>[], file: string, wanted: string | undefined): Record<string, unknown> {
  const names = runners.map((r, i) => (typeof r.name === "string" ? r.name : `#${i + 1}`));
  if (wanted !== undefined) {
    const found = runners.find((r) => r.name === wanted);
    if (found) return found;
    throw usageError(`the runner config has no [[runners]] entry named "${wanted}"${didYouMean(wanted, names)}`, { where: file, hint: `its runners: ${names.join(", ")}` });
  }
  if (runners.length > 1) {
    throw usageError(`the runner config has ${runners.length} [[runners]] entries, so smoke cannot tell which one to apply`, { where: file, hint: `pick one with --runner NAME (${names.join(", ")})` });
  }
  return runners[0] as Record<string, unknown>;
}

/** One [[runners]] table (as read from a config.toml, or as runner-kit config writes it). */
export function runnerDefaultsFromEntry(entry: Record<string, unknown>, file: string): RunnerDefaults {
  const where = typeof entry.name === "string" ? `${file} (runner "${entry.name}")` : file;
  const table = (entry.docker ?? {}) as Record<string, unknown>;
  const { docker, warnings } = parseRunnerDocker(table, where);
  const out: RunnerDefaults = { source: where, services: [], environment: keyValues(strings(entry.environment, "[[runners]] environment", file)), docker, warnings };
  if (typeof entry.name === "string") out.name = entry.name;
  if (typeof entry.executor === "string" && entry.executor !== "docker") {
    warnings.push(`${where}: the runner's executor is "${entry.executor}"; smoke runs the job as the Docker executor does`);
  }
  for (const key of JOB_AFFECTING_RUNNER_KEYS) if (entry[key] !== undefined) warnings.push(`${where}: [[runners]] ${key} is not applied by smoke`);
  if (typeof table.image === "string" && table.image !== "") out.image = { name: table.image };
  if (typeof table.wait_for_services_timeout === "number") out.waitForServicesTimeout = table.wait_for_services_timeout;
  if (typeof table.network_mode === "string" && table.network_mode !== "") out.networkMode = table.network_mode;
  const flags = featureFlags(entry.feature_flags, file);
  if (flags) out.featureFlags = flags;
  const services = table.services ?? [];
  if (!Array.isArray(services)) {
    throw configError("[runners.docker] services must be [[runners.docker.services]] tables", { where: file });
  }
  for (const [i, raw] of services.entries()) {
    const svc = raw as Record<string, unknown>;
    if (typeof svc.name !== "string") throw configError(`[[runners.docker.services]] #${i + 1} has no name`, { where: file });
    const spec: ServiceSpec = { name: svc.name, variables: keyValues(strings(svc.environment, "services environment", file)) };
    if (typeof svc.alias === "string") spec.alias = svc.alias;
    const command = strings(svc.command, "services command", file);
    if (command) spec.command = command;
    const entrypoint = strings(svc.entrypoint, "services entrypoint", file);
    if (entrypoint) spec.entrypoint = entrypoint;
    out.services.push(spec);
  }
  return out;
}
