/**
 * Which network the job and its services share, chosen as GitLab Runner's Docker executor
 * chooses it (executors/docker/internal/networks/manager.go):
 *
 *  - `network_mode` set in the runner config → that network; the run neither creates nor
 *    removes it. Services get their aliases there only when it is a user-defined network.
 *  - else `FF_NETWORK_PER_BUILD` on → a bridge network made for this job and removed after
 *    it; services get their aliases on it, the job container `build` and its own name, and
 *    the job sees `CI_BUILD_NETWORK_NAME`.
 *  - else (the runner's default) → Docker's default bridge: no DNS between containers. The
 *    job reaches each service through `alias:ip` and `<12-char container id>:ip` entries in
 *    its ExtraHosts; services cannot resolve each other or the job.
 *
 * The feature flag is read as the runner reads it: `[runners.feature_flags]` in config.toml
 * wins when it names the flag; else the job's variables after precedence (runner
 * `environment` < predefined < `.gitlab-ci.yml` < --env-file < --variable), parsed like Go's
 * strconv.ParseBool. Pure.
 */

export type JobNetwork =
  /** Docker's default bridge (no network_mode, flag off). */
  | { kind: "default" }
  /** A bridge network made for this job (FF_NETWORK_PER_BUILD). */
  | { kind: "per-build"; name: string }
  /** The runner config's network_mode, used as it is. */
  | { kind: "named"; name: string };

export const NETWORK_PER_BUILD = "FF_NETWORK_PER_BUILD";

/** Go's strconv.ParseBool true values, as GitLab Runner reads a feature flag. */
export function parseBoolTrue(value: string | boolean | undefined): boolean {
  if (typeof value === "boolean") return value;
  return ["1", "t", "T", "TRUE", "true", "True"].includes(value ?? "");
}

/** A feature flag: the runner config's [runners.feature_flags] entry when it has one, else the job's variable. */
export function featureFlagOn(name: string, variables: Record<string, string>, runnerFlags: Record<string, boolean> = {}): boolean {
  if (name in runnerFlags) return runnerFlags[name] === true;
  return parseBoolTrue(variables[name]);
}

export function chooseJobNetwork(o: { networkMode?: string; perBuild: boolean; perBuildName: string }): JobNetwork {
  if (o.networkMode !== undefined && o.networkMode !== "") return { kind: "named", name: o.networkMode };
  return o.perBuild ? { kind: "per-build", name: o.perBuildName } : { kind: "default" };
}

/**
 * A user-defined network (Docker's NetworkMode.IsUserDefined): not bridge, host, none,
 * default, or another container's network. Only there do aliases and DNS between
 * containers exist.
 */
export function isUserDefined(network: JobNetwork): boolean {
  if (network.kind === "default") return false;
  const mode = network.name;
  return !["bridge", "host", "none", "default"].includes(mode) && !mode.startsWith("container:");
}

/** The HostConfig.NetworkMode to send: nothing for the default bridge. */
export function networkModeOf(network: JobNetwork): string | undefined {
  return network.kind === "default" ? undefined : network.name;
}

/**
 * The job container's link entries, as GitLab Runner adds them to its ExtraHosts: for each
 * started service, each of its host names and its 12-character container id, once per
 * address the service has. Only needed where the daemon has no DNS between containers.
 */
export function linkHosts(services: { aliases: string[]; id: string; ips: string[] }[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const svc of services) {
    for (const name of [...svc.aliases, svc.id.slice(0, 12)]) {
      if (seen.has(name)) continue;
      seen.add(name);
      for (const ip of svc.ips) out.push(`${name}:${ip}`);
    }
  }
  return out;
}
