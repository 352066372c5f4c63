/**
 * Where credentials would come from, as doctor reports it: DOCKER_AUTH_CONFIG, the
 * config.json runner-kit's own pulls and pushes read (the docker CLI's DOCKER_CONFIG rule)
 * and, when it is another folder, the one smoke reads (GitLab Runner's $HOME rule); the
 * registries each source names, and whether each credential helper it names is on PATH.
 * Only names are reported (registries, helpers, files), never a value.
 */
import { join } from "node:path";
import { configDirRulesAgree, dockerConfigDir, homeDir } from "../auth/config-dir.js";
import { HELPER_PREFIX } from "../auth/helpers.js";
import { DOCKER_AUTH_CONFIG, loadAuthSources, type ConfigDirRule } from "../auth/sources.js";
import type { AuthSource } from "../auth/types.js";
import { isRunnerKitError } from "../common/errors.js";
import { check, type Check } from "./types.js";

function describeSource(source: AuthSource): string {
  const { auths = {}, credHelpers = {}, credsStore } = source.config;
  const parts = [
    Object.keys(auths).length ? `auths for ${Object.keys(auths).join(", ")}` : "",
    Object.keys(credHelpers).length ? `credHelpers ${Object.entries(credHelpers).map(([r, h]) => `${r} → ${h}`).join(", ")}` : "",
    credsStore ? `credsStore ${credsStore}` : "",
  ].filter(Boolean);
  return parts.length ? parts.join("; ") : "no registries";
}

/** The helper names the sources use, each with the sources naming it. */
function helpersOf(sources: readonly AuthSource[]): Map<string, string[]> {
  const named = new Map<string, string[]>();
  for (const { source, config } of sources) {
    for (const name of [...Object.values(config.credHelpers ?? {}), ...(config.credsStore ? [config.credsStore] : [])]) {
      if (!named.get(name)?.includes(source)) named.set(name, [...(named.get(name) ?? []), source]);
    }
  }
  return named;
}

async function sourcesBy(rule: ConfigDirRule, env: NodeJS.ProcessEnv, used: string): Promise<{ sources: AuthSource[]; checks: Check[] }> {
  const file = rule === "docker-cli" ? join(dockerConfigDir(env), "config.json") : join(homeDir(env), ".docker", "config.json");
  try {
    const sources = await loadAuthSources({ env, rule, homeDir: homeDir(env) });
    const files = sources.filter((s) => s.source !== DOCKER_AUTH_CONFIG);
    const checks = files.length
      ? files.map((s) => check("credentials", s.source, "ok", `${used}: ${describeSource(s)}`))
      : [check("credentials", file, "ok", `${used}: no file there (anonymous unless DOCKER_AUTH_CONFIG has the registry)`)];
    return { sources, checks };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const fix = isRunnerKitError(error) && error.hint ? error.hint : `fix or remove ${file}`;
    return { sources: [], checks: [check("credentials", file, "problem", message, fix)] };
  }
}

/** One check per credential source and one per helper named. */
export async function credentialChecks(env: NodeJS.ProcessEnv, onPath: (program: string) => string | undefined): Promise<Check[]> {
  const cli = await sourcesBy("docker-cli", env, `read by build and push (${env.DOCKER_CONFIG ? "DOCKER_CONFIG" : "$HOME/.docker"})`);
  const checks: Check[] = [];
  const fromEnv = cli.sources.find((s) => s.source === DOCKER_AUTH_CONFIG);
  if (fromEnv) checks.push(check("credentials", DOCKER_AUTH_CONFIG, "ok", `set: ${describeSource(fromEnv)} (read first, as GitLab Runner does)`));
  else checks.push(check("credentials", DOCKER_AUTH_CONFIG, "ok", "not set"));
  checks.push(...cli.checks);
  const sources = [...cli.sources];
  if (!configDirRulesAgree(env)) {
    const runner = await sourcesBy("gitlab-runner", env, "read by smoke (GitLab Runner's $HOME/.docker rule, DOCKER_CONFIG ignored)");
    checks.push(...runner.checks);
    sources.push(...runner.sources.filter((s) => !sources.some((t) => t.source === s.source)));
  }
  for (const [name, named] of helpersOf(sources)) {
    const program = `${HELPER_PREFIX}${name}`;
    const where = /[/\\]/.test(name) ? undefined : onPath(program);
    if (where) checks.push(check("helper", program, "ok", `on PATH at ${where} (named in ${named.join(", ")})`));
    else {
      checks.push(
        check("helper", program, "problem", `named in ${named.join(", ")} but not on PATH: the registries it serves get no credentials`, `install ${program} on the PATH runner-kit runs with, or remove it from ${named.join(" and ")}`),
      );
    }
  }
  return checks;
}
