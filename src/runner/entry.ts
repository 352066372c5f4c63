import type { RunnerSection, RunnerService } from "../project/runner-schema.js";

/** A TOML table as smol-toml stringifies it. */
export type TomlTable = Record<string, unknown>;

/** `{K: v}` → gitlab-runner's ["K=v"] list. */
export function environmentList(env: Record<string, string | number | boolean> | undefined): string[] {
  return Object.entries(env ?? {}).map(([key, value]) => `${key}=${String(value)}`);
}

function serviceTable(service: RunnerService): TomlTable {
  const table: TomlTable = { name: service.name };
  if (service.alias !== undefined) table.alias = Array.isArray(service.alias) ? service.alias.join(",") : service.alias;
  if (service.entrypoint !== undefined) table.entrypoint = service.entrypoint;
  if (service.command !== undefined) table.command = service.command;
  if (service.environment !== undefined) table.environment = environmentList(service.environment);
  return table;
}

/** Does a volume spec ("/cache", "name:/cache", "/host:/cache:ro") mount at `target`? */
function mountsAt(volume: string, target: string): boolean {
  const parts = volume.split(":");
  const container = parts.length === 1 ? parts[0] : parts[1];
  return container?.replace(/\/+$/, "") === target;
}

/** [runners.docker]: job image, services, pull policies, allowlists, volumes, privileged, pass-through keys. */
export function dockerTable(section: RunnerSection, image: string): TomlTable {
  const docker: TomlTable = { image };
  const privileged = section.privileged ?? section.docker_in_docker ?? false;
  if (privileged) docker.privileged = true;
  if (section.pull_policy !== undefined) docker.pull_policy = section.pull_policy;
  if (section.allowed_pull_policies !== undefined) docker.allowed_pull_policies = section.allowed_pull_policies;
  if (section.allowed_images !== undefined) docker.allowed_images = section.allowed_images;

  const volumes = [...(section.volumes ?? [])];
  // docker:dind with TLS shares its client certificates with the job through /certs/client.
  if (section.docker_in_docker && !volumes.some((v) => mountsAt(v, "/certs/client"))) volumes.push("/certs/client");
  // What `gitlab-runner register` does: a /cache volume unless one exists or caching is off.
  if (section.docker?.disable_cache !== true && !volumes.some((v) => mountsAt(v, "/cache"))) volumes.push("/cache");
  if (volumes.length > 0) docker.volumes = volumes;

  for (const [key, value] of Object.entries(section.docker ?? {})) docker[key] = value;
  if (section.services !== undefined && section.services.length > 0) docker.services = section.services.map(serviceTable);
  return docker;
}

/** The runner's name: the section's, else runner-kit, or runner-kit-<team> for a team's runner. */
export function runnerName(section: RunnerSection, team: string | undefined): string {
  return section.name ?? (team ? `runner-kit-${team}` : "runner-kit");
}

export interface RunnerEntryInput {
  section: RunnerSection;
  name: string;
  url: string;
  image: string;
  /** Only when it was given through the environment. */
  token?: string;
  /** The DOCKER_AUTH_CONFIG JSON, when there are credentials. */
  dockerAuthConfig?: string;
}

/** One [[runners]] table: name, url, token?, executor, environment, pass-through keys, [runners.docker]. */
export function runnerTable(input: RunnerEntryInput): TomlTable {
  const table: TomlTable = { name: input.name, url: input.url };
  if (input.token !== undefined) table.token = input.token;
  table.executor = "docker";
  const environment = environmentList(input.section.environment);
  if (input.dockerAuthConfig !== undefined) environment.push(`DOCKER_AUTH_CONFIG=${input.dockerAuthConfig}`);
  if (environment.length > 0) table.environment = environment;
  for (const [key, value] of Object.entries(input.section.options ?? {})) table[key] = value;
  table.docker = dockerTable(input.section, input.image);
  return table;
}
