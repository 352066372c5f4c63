import { describe, expect, it } from "vitest";
import { planJob, type PlanInput } from "../../src/smoke/executor/plan.js";
import { chooseJobNetwork, featureFlagOn, isUserDefined, linkHosts, networkModeOf } from "../../src/smoke/executor/network-mode.js";
import { networkFields } from "../../src/smoke/executor/services.js";
import { parseRunnerConfig } from "../../src/smoke/job/runner-config.js";
import { parseJob } from "../../src/smoke/job/parse.js";

const plan = (yaml: string, extra: Partial<PlanInput> = {}) =>
  planJob({ job: parseJob(yaml, { file: "ci.yml" }), projectPath: "local/app", networkName: "rk-net", jobId: "1", hostname: "h", ...extra });

describe("the job's network, chosen as GitLab Runner chooses it", () => {
  it("is the default bridge when the flag is off and no network_mode is set", () => {
    const p = plan("job: { image: x, script: [echo] }\n");
    expect(p.network).toEqual({ kind: "default" });
    expect(p.variables).not.toHaveProperty("CI_BUILD_NETWORK_NAME");
  });

  it("is a per-build network, named in CI_BUILD_NETWORK_NAME, when FF_NETWORK_PER_BUILD is on in the job's or the global variables", () => {
    for (const yaml of [
      'variables: { FF_NETWORK_PER_BUILD: "true" }\njob: { image: x, script: [echo] }\n',
      'job: { image: x, script: [echo], variables: { FF_NETWORK_PER_BUILD: "1" } }\n',
    ]) {
      const p = plan(yaml);
      expect(p.network).toEqual({ kind: "per-build", name: "rk-net" });
      expect(p.variables.CI_BUILD_NETWORK_NAME).toBe("rk-net");
    }
  });

  it("reads the flag with the runner's precedence: runner environment < .gitlab-ci.yml < CI/CD variables; [runners.feature_flags] wins", () => {
    const env = parseRunnerConfig('[[runners]]\nenvironment = ["FF_NETWORK_PER_BUILD=true"]\n', "config.toml");
    expect(plan("job: { image: x, script: [echo] }\n", { runnerDefaults: env }).network.kind).toBe("per-build");
    expect(plan('job: { image: x, script: [echo], variables: { FF_NETWORK_PER_BUILD: "false" } }\n', { runnerDefaults: env }).network.kind).toBe("default");
    expect(plan('job: { image: x, script: [echo], variables: { FF_NETWORK_PER_BUILD: "false" } }\n', { cicdVariables: { FF_NETWORK_PER_BUILD: "true" } }).network.kind).toBe("per-build");
    const toml = parseRunnerConfig("[[runners]]\n[runners.feature_flags]\nFF_NETWORK_PER_BUILD = false\n", "config.toml");
    expect(plan("job: { image: x, script: [echo] }\n", { runnerDefaults: toml, cicdVariables: { FF_NETWORK_PER_BUILD: "true" } }).network.kind).toBe("default");
  });

  it("parses the flag as Go's strconv.ParseBool: yes and on are not true", () => {
    expect(["1", "t", "T", "TRUE", "true", "True"].map((v) => featureFlagOn("F", { F: v }))).toEqual(Array(6).fill(true));
    expect(["yes", "on", "", "0", "false", "tRuE"].map((v) => featureFlagOn("F", { F: v }))).toEqual(Array(6).fill(false));
  });

  it("keeps CI_BUILD_NETWORK_NAME out of the job's reach: a job variable of that name does not replace it", () => {
    const p = plan('job: { image: x, script: [echo], variables: { FF_NETWORK_PER_BUILD: "true", CI_BUILD_NETWORK_NAME: "mine" } }\n');
    expect(p.variables.CI_BUILD_NETWORK_NAME).toBe("rk-net");
  });

  it("uses network_mode from the runner config as it is, before the flag", () => {
    const p = plan('job: { image: x, script: [echo], variables: { FF_NETWORK_PER_BUILD: "true" } }\n', { runnerDefaults: parseRunnerConfig('[[runners]]\n[runners.docker]\nnetwork_mode = "ci-net"\n', "config.toml") });
    expect(p.network).toEqual({ kind: "named", name: "ci-net" });
    expect(p.variables).not.toHaveProperty("CI_BUILD_NETWORK_NAME");
  });

  it("knows which networks have aliases and DNS (user-defined) and which do not", () => {
    expect(isUserDefined(chooseJobNetwork({ perBuild: false, perBuildName: "n" }))).toBe(false);
    expect(isUserDefined(chooseJobNetwork({ perBuild: true, perBuildName: "n" }))).toBe(true);
    expect(["bridge", "host", "none", "default", "container:abc", "ci-net"].map((m) => isUserDefined({ kind: "named", name: m })))
      .toEqual([false, false, false, false, false, true]);
    expect(networkModeOf({ kind: "default" })).toBeUndefined();
  });

  it("gives containers aliases only on a user-defined network", () => {
    expect(networkFields({ kind: "default" }, ["a"])).toEqual({ HostConfig: { RestartPolicy: { Name: "no" } } });
    expect(networkFields({ kind: "named", name: "host" }, ["a"])).toEqual({ HostConfig: { NetworkMode: "host", RestartPolicy: { Name: "no" } } });
    expect(networkFields({ kind: "per-build", name: "n1" }, ["a", "b"])).toEqual({
      HostConfig: { NetworkMode: "n1", RestartPolicy: { Name: "no" } },
      NetworkingConfig: { EndpointsConfig: { n1: { Aliases: ["a", "b"] } } },
    });
  });

  it("links each service's host names and 12-character id to each of its addresses, first service first", () => {
    const id = "0123456789abcdef0123";
    expect(linkHosts([
      { aliases: ["tutum__wordpress", "tutum-wordpress", "wp"], id, ips: ["172.17.0.3"] },
      { aliases: ["db"], id: "fedcba9876543210", ips: ["172.17.0.4", "fd00::4"] },
    ])).toEqual([
      "tutum__wordpress:172.17.0.3", "tutum-wordpress:172.17.0.3", "wp:172.17.0.3", "0123456789ab:172.17.0.3",
      "db:172.17.0.4", "db:fd00::4", "fedcba987654:172.17.0.4", "fedcba987654:fd00::4",
    ]);
  });
});

describe("runner config: network_mode, environment and feature flags", () => {
  it("reads them from the first [[runners]] entry", () => {
    const d = parseRunnerConfig(
      '[[runners]]\nenvironment = ["FF_NETWORK_PER_BUILD=true", "A=b=c", "bad"]\n[runners.feature_flags]\nFF_NETWORK_PER_BUILD = false\n[runners.docker]\nnetwork_mode = "ci-net"\n',
      "config.toml",
    );
    expect(d.networkMode).toBe("ci-net");
    expect(d.environment).toEqual({ FF_NETWORK_PER_BUILD: "true", A: "b=c" });
    expect(d.featureFlags).toEqual({ FF_NETWORK_PER_BUILD: false });
  });

  it("refuses a feature flag that is not true or false", () => {
    expect(() => parseRunnerConfig('[[runners]]\n[runners.feature_flags]\nFF_NETWORK_PER_BUILD = "yes"\n', "config.toml")).toThrow(/feature_flags/);
  });
});

describe("image: docker: platform in the plan", () => {
  it("is expanded against the job's variables and normalised as containerd does", () => {
    expect(plan('job: { image: { name: x, docker: { platform: "$ARCH" } }, script: [echo], variables: { ARCH: aarch64 } }\n').platform)
      .toEqual({ os: "linux", architecture: "arm64" });
    expect(plan("job: { image: x, script: [echo] }\n").platform).toBeUndefined();
  });

  it("is a configuration error naming the job file when it is not a platform", () => {
    expect(() => plan("job: { image: { name: x, docker: { platform: linux/z80 } }, script: [echo] }\n")).toThrow(/"linux\/z80" is not a platform/);
  });
});
