/**
 * The runner's [runners.docker] config as smoke applies it: the model read from a
 * config.toml, what the runner refuses (in its words), and the create options of the job
 * and service containers — pure, no Docker.
 */
import { describe, expect, it } from "vitest";
import { RunnerKitError } from "../../src/common/errors.js";
import { planJob, type PlanInput } from "../../src/smoke/executor/plan.js";
import { jobHostConfig, nanoCpus, serviceHostConfig, sizeInBytes } from "../../src/smoke/executor/container-options.js";
import { checkAllowedImage, globMatch, jobUser } from "../../src/smoke/executor/runner-policy.js";
import { planVolumes } from "../../src/smoke/executor/volumes.js";
import { parseJob } from "../../src/smoke/job/parse.js";
import { parseRunnerConfig } from "../../src/smoke/job/runner-config.js";
import { parseRunnerDocker } from "../../src/smoke/job/runner-docker.js";
import { projectRunnerDefaults } from "../../src/smoke/project-runner.js";

const runner = (docker: string, extra = "") => parseRunnerConfig(`[[runners]]\nname = "r"\n${extra}[runners.docker]\n${docker}`, "config.toml");
const docker = (toml: string) => runner(toml).docker;

const plan = (yaml: string, runnerDefaults = runner(""), extra: Partial<PlanInput> = {}) =>
  planJob({
    job: parseJob(yaml, { file: "ci.yml" }), projectPath: "local/app", networkName: "net", jobId: "7", hostname: "h",
    runnerDefaults, nameVolume: (target) => `vol${target.replace(/\//g, "-")}`, ...extra,
  });

function refusal(fn: () => unknown): RunnerKitError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RunnerKitError);
    return error as RunnerKitError;
  }
  throw new Error("expected a refusal");
}

describe("the [runners.docker] model", () => {
  it("reads every key smoke applies, pull_policy as a string or a list", () => {
    const d = docker(`privileged = true\nservices_privileged = false\nvolumes = ["/cache", "/var/run/docker.sock:/var/run/docker.sock"]\ncap_add = ["NET_ADMIN"]\ncap_drop = ["MKNOD"]\ndns = ["10.0.0.2"]\ndns_search = ["corp"]\nextra_hosts = ["db:10.0.0.3"]\nsecurity_opt = ["no-new-privileges"]\nuser = "1000"\nshm_size = 67108864\nmemory = "256m"\ncpus = "1.5"\npull_policy = "if-not-present"\nservices_limit = 2\n[runners.docker.tmpfs]\n"/scratch" = "rw,size=64m"\n`);
    expect(d).toMatchObject({
      privileged: true, servicesPrivileged: false, volumes: ["/cache", "/var/run/docker.sock:/var/run/docker.sock"], capAdd: ["NET_ADMIN"], capDrop: ["MKNOD"],
      dns: ["10.0.0.2"], dnsSearch: ["corp"], extraHosts: ["db:10.0.0.3"], securityOpt: ["no-new-privileges"], user: "1000", shmSize: 67108864,
      memory: "256m", cpus: "1.5", pullPolicy: ["if-not-present"], servicesLimit: 2, tmpfs: { "/scratch": "rw,size=64m" },
    });
    expect(docker(`pull_policy = ["never", "always"]`).pullPolicy).toEqual(["never", "always"]);
  });

  it("warns about every key it cannot honour, and never about what it reads", () => {
    const { warnings } = parseRunnerDocker({ image: "x", helper_image: "h", sysctls: {}, gpus: "all", ipc_mode: "host", mac_address: "m", privileged: true, tls_verify: false }, "config.toml");
    expect(warnings).toEqual([
      "config.toml: [runners.docker] helper_image is not applied by smoke; the job runs as if it were not set (smoke has no helper container: it copies the project in itself)",
      "config.toml: [runners.docker] gpus is not applied by smoke; the job runs as if it were not set (GPU requests need a GPU and its container runtime on the daemon; smoke does not request them)",
      "config.toml: [runners.docker] ipc_mode is not applied by smoke; the job runs as if it were not set (gitlab-runner's key is ipcmode, without the underscore)",
      "config.toml: [runners.docker] mac_address is not applied by smoke; the job runs as if it were not set",
    ]);
    expect(runner("", 'pre_build_script = "echo hi"\n').warnings).toEqual(['config.toml (runner "r"): [[runners]] pre_build_script is not applied by smoke']);
  });

  it("refuses a wrong type and an unknown pull policy in the runner's words", () => {
    expect(refusal(() => docker(`cap_add = "ALL"`)).message).toMatch(/cap_add must be an array of strings/);
    expect(refusal(() => docker(`pull_policy = "sometimes"`)).message).toBe('unsupported pull_policy config: "sometimes"');
  });

  it("takes the only [[runners]] entry, or the one --runner names", () => {
    const two = `[[runners]]\nname = "a"\nenvironment = ["WHO=a"]\n[[runners]]\nname = "dind"\nenvironment = ["WHO=dind", "NOEQUALS"]\n[runners.docker]\nprivileged = true\n`;
    expect(parseRunnerConfig(two, "c.toml", "dind")).toMatchObject({ name: "dind", environment: { WHO: "dind" }, docker: { privileged: true } });
    const several = refusal(() => parseRunnerConfig(two, "c.toml"));
    expect(several.message).toMatch(/has 2 \[\[runners\]\] entries/);
    expect(several.exitCode).toBe(2);
    expect(refusal(() => parseRunnerConfig(two, "c.toml", "din")).message).toMatch(/no \[\[runners\]\] entry named "din" \(did you mean "dind"\?\)/);
  });
});

describe("container options, where the Docker executor puts them", () => {
  const d = docker(`privileged = true\ncap_add = ["ALL"]\ncap_drop = ["SYS_RESOURCE"]\nsecurity_opt = ["seccomp=unconfined"]\nservices_security_opt = ["apparmor=unconfined"]\ndns = ["1.1.1.1"]\ndns_search = ["x"]\nextra_hosts = ["h:1.2.3.4"]\nshm_size = 1024\nmemory = "1g"\nmemory_swap = "2g"\ncpus = "0.5"\nservice_memory = "64m"\n[runners.docker.tmpfs]\n"/t" = "rw"\n[runners.docker.services_tmpfs]\n"/s" = "ro"\n`);

  it("gives the job container caps, security_opt, tmpfs and limits", () => {
    expect(jobHostConfig(d, ["v:/certs/client"], "img")).toEqual({
      Dns: ["1.1.1.1"], DnsSearch: ["x"], ExtraHosts: ["h:1.2.3.4"], ShmSize: 1024, Binds: ["v:/certs/client"], Privileged: true,
      CapAdd: ["ALL"], CapDrop: ["SYS_RESOURCE"], SecurityOpt: ["seccomp=unconfined"], Tmpfs: { "/t": "rw" },
      Memory: 1024 ** 3, MemorySwap: 2 * 1024 ** 3, NanoCpus: 500_000_000,
    });
  });

  it("gives services services_security_opt, services_tmpfs and service limits, the same binds, and never cap_add or cap_drop", () => {
    expect(serviceHostConfig(d, ["v:/certs/client"], "docker:dind")).toEqual({
      Dns: ["1.1.1.1"], DnsSearch: ["x"], ExtraHosts: ["h:1.2.3.4"], ShmSize: 1024, Binds: ["v:/certs/client"], Privileged: true,
      SecurityOpt: ["apparmor=unconfined"], Tmpfs: { "/s": "ro" }, Memory: 64 * 1024 ** 2,
    });
  });

  it("lets services_privileged override privileged for services, and the privileged allowlists limit both", () => {
    expect(serviceHostConfig(docker("privileged = true\nservices_privileged = false"), [], "s").Privileged).toBeUndefined();
    expect(serviceHostConfig(docker("services_privileged = true"), [], "s").Privileged).toBe(true);
    expect(jobHostConfig(docker("services_privileged = true"), [], "s").Privileged).toBeUndefined();
    const limited = docker(`privileged = true\nallowed_privileged_images = ["docker:*"]\nallowed_privileged_services = ["docker:*-dind"]`);
    expect(jobHostConfig(limited, [], "docker:27").Privileged).toBe(true);
    expect(jobHostConfig(limited, [], "alpine").Privileged).toBeUndefined();
    expect(serviceHostConfig(limited, [], "docker:27-dind").Privileged).toBe(true);
    expect(serviceHostConfig(limited, [], "docker:27").Privileged).toBeUndefined();
  });

  it("reads sizes and CPUs as Docker does, and refuses what is neither", () => {
    expect(sizeInBytes("512m", "memory")).toBe(512 * 1024 ** 2);
    expect(sizeInBytes("1.5GiB", "memory")).toBe(1.5 * 1024 ** 3);
    expect(sizeInBytes("4194304", "memory")).toBe(4194304);
    expect(nanoCpus("2", "cpus")).toBe(2e9);
    expect(refusal(() => sizeInBytes("lots", "memory")).message).toMatch(/memory = "lots" is not a size/);
    expect(refusal(() => nanoCpus("-1", "cpus")).message).toMatch(/is not a number of CPUs/);
  });
});

describe("kernel, cgroup and runtime keys, where the Docker executor puts them", () => {
  const d = docker([
    'devices = ["/dev/null:/dev/rk-null", "/dev/zero", "/dev/full:/dev/f:r"]', 'device_cgroup_rules = ["c 1:3 mr"]', 'group_add = ["1234"]',
    'runtime = "runc"', 'pid_mode = "host"', 'ipcmode = "shareable"', 'userns_mode = "host"', 'isolation = "default"', "oom_kill_disable = true",
    "oom_score_adjust = 100", 'cpuset_cpus = "0"', 'cpuset_mems = "0"', "cpu_shares = 512", 'service_cpuset_cpus = "1"', "service_cpu_shares = 256",
    "[runners.docker.sysctls]", '"net.ipv4.ip_forward" = "1"', "[runners.docker.ulimit]", 'nofile = "1024:2048"', 'nproc = "512"',
    "[runners.docker.services_devices]", '"redis*" = ["/dev/null:/dev/svc-null"]', '"postgres:**" = ["/dev/zero"]', "",
  ].join("\n"));

  it("gives the job container devices, cgroup rules, sysctls, ulimits, groups, namespaces, runtime, OOM and cpuset settings", () => {
    expect(jobHostConfig(d, [], "img")).toEqual({
      Devices: [
        { PathOnHost: "/dev/null", PathInContainer: "/dev/rk-null", CgroupPermissions: "rwm" },
        { PathOnHost: "/dev/zero", PathInContainer: "/dev/zero", CgroupPermissions: "rwm" },
        { PathOnHost: "/dev/full", PathInContainer: "/dev/f", CgroupPermissions: "r" },
      ],
      DeviceCgroupRules: ["c 1:3 mr"], Sysctls: { "net.ipv4.ip_forward": "1" },
      Ulimits: [{ Name: "nofile", Soft: 1024, Hard: 2048 }, { Name: "nproc", Soft: 512, Hard: 512 }],
      GroupAdd: ["1234"], Runtime: "runc", PidMode: "host", IpcMode: "shareable", UsernsMode: "host", Isolation: "default",
      OomKillDisable: true, OomScoreAdj: 100, CpusetCpus: "0", CpusetMems: "0", CpuShares: 512,
    });
  });

  it("gives services the services_devices of the globs their image matches, service_cpuset_cpus/cpu_shares, the runtime, userns and isolation — nothing else", () => {
    const shared = { Runtime: "runc", UsernsMode: "host", Isolation: "default", CpusetCpus: "1", CpuShares: 256 };
    expect(serviceHostConfig(d, [], "redis")).toEqual({ ...shared, Devices: [{ PathOnHost: "/dev/null", PathInContainer: "/dev/svc-null", CgroupPermissions: "rwm" }] });
    // The glob sees the pull name, ":latest" added: "postgres:**" matches a bare "postgres".
    expect(serviceHostConfig(d, [], "postgres").Devices).toEqual([{ PathOnHost: "/dev/zero", PathInContainer: "/dev/zero", CgroupPermissions: "rwm" }]);
    expect(serviceHostConfig(d, [], "mysql:8")).toEqual(shared);
  });

  it("refuses a device with too many colons, a ulimit that is not a number and an isolation Docker does not know, in the runner's words", () => {
    expect(refusal(() => jobHostConfig(docker('devices = ["/a:/b:rwm:x"]'), [], "img", "config.toml")).message).toBe(
      '[runners.docker] devices: failed to parse device string "/a:/b:rwm:x": too many colons',
    );
    expect(refusal(() => jobHostConfig(docker('devices = ["/a:/b:rwm:x"]'), [], "img", "config.toml")).where).toBe("config.toml");
    expect(refusal(() => jobHostConfig(docker("[runners.docker.ulimit]\nnofile = \"many\""), [], "img")).message).toMatch(/ulimit nofile = "many": invalid soft limit value/);
    expect(refusal(() => serviceHostConfig(docker('isolation = "vm"'), [], "s")).message).toBe(
      "[runners.docker] the isolation value \"vm\" is not valid. the valid values are: 'process', 'hyperv', 'default' and an empty string",
    );
  });
});

describe("volumes", () => {
  it("passes host binds and named volumes as written, and makes a volume of the run for a bare path", () => {
    expect(planVolumes(["/certs/client", "/var/run/docker.sock:/var/run/docker.sock", "cache:/cache:ro"], (t) => `run${t.replace(/\//g, "_")}`, "c")).toEqual({
      binds: ["run_certs_client:/certs/client", "/var/run/docker.sock:/var/run/docker.sock", "cache:/cache:ro"],
      create: [{ name: "run_certs_client", target: "/certs/client" }],
    });
    expect(refusal(() => planVolumes(["relative/path"], (t) => t, "c")).message).toMatch(/volumes entry "relative\/path" is not a volume/);
  });

  it("shares the same binds with the job and every service", () => {
    const p = plan("t: { image: img, services: [svc], script: [echo] }", runner(`volumes = ["/certs/client", "/sys/fs/cgroup:/sys/fs/cgroup:rw"]`));
    const binds = ["vol-certs-client:/certs/client", "/sys/fs/cgroup:/sys/fs/cgroup:rw"];
    expect(p.jobHostConfig.Binds).toEqual(binds);
    expect(p.services[0]?.hostConfig.Binds).toEqual(binds);
    expect(p.volumes).toEqual([{ name: "vol-certs-client", target: "/certs/client" }]);
  });
});

describe("what the runner refuses", () => {
  it("matches allowlists as doublestar does", () => {
    expect(globMatch("docker:*", "docker:27-dind")).toBe(true);
    expect(globMatch("registry.example.com/*", "registry.example.com/team/app")).toBe(false);
    expect(globMatch("registry.example.com/**", "registry.example.com/team/app:1")).toBe(true);
    expect(globMatch("{alpine,debian}:*", "debian:bookworm")).toBe(true);
    expect(globMatch("a.b", "aXb")).toBe(false);
  });

  it("refuses an image outside allowed_images, but not the runner's own image", () => {
    const r = runner(`image = "base:1"\nallowed_images = ["ruby:*", "python:*"]`);
    const e = refusal(() => plan("t: { image: node:20, script: [echo] }", r));
    expect(e.message).toBe('The "node:20" image is not present on list of allowed images: ruby:*, python:*. The runner refuses this job before it starts');
    expect(e.exitCode).toBe(2);
    expect(plan("t: { image: ruby:3, script: [echo] }", r).imageRef).toBe("ruby:3");
    expect(plan("t: { script: [echo] }", r).imageRef).toBe("base:1");
    expect(() => checkAllowedImage("x", "images", [], [], "c")).not.toThrow();
  });

  it("refuses a service outside allowed_services, except the runner's own services", () => {
    const r = runner(`allowed_services = ["postgres:*"]\n[[runners.docker.services]]\nname = "redis:7"\n`);
    expect(plan("t: { image: i, services: [postgres:16], script: [echo] }", r).services.map((s) => s.spec.name)).toEqual(["redis:7", "postgres:16"]);
    expect(refusal(() => plan("t: { image: i, services: [mysql:8], script: [echo] }", r)).message).toMatch(/^The "mysql:8" image is not present on list of allowed services: postgres:\*/);
  });

  it("refuses more services than services_limit, the runner's included", () => {
    const r = runner(`services_limit = 1\n[[runners.docker.services]]\nname = "redis:7"\n`);
    expect(refusal(() => plan("t: { image: i, services: [db], script: [echo] }", r)).message).toBe("too many services requested: 2, only 1 allowed (services_limit)");
    expect(plan("t: { image: i, script: [echo] }", r).services).toHaveLength(1);
  });

  it("limits pull policies to allowed_pull_policies and says where a refused one came from", () => {
    const job = "t: { image: { name: i, pull_policy: [never, if-not-present] }, script: [echo] }";
    expect(plan(job, runner(`allowed_pull_policies = ["if-not-present", "always"]`)).pullPolicy).toEqual(["if-not-present"]);
    expect(refusal(() => plan(job, runner(""))).message).toBe(
      'invalid pull policy for image "i": pull_policy ([never if-not-present]) defined in GitLab pipeline config is not one of the allowed_pull_policies ([always])',
    );
    expect(refusal(() => plan("t: { image: i, script: [echo] }", runner(`pull_policy = "always"\nallowed_pull_policies = ["never"]`))).message).toMatch(/defined in Runner config is not/);
    expect(refusal(() => plan("t: { image: i, script: [echo] }", runner(`allowed_pull_policies = ["never"]`))).message).toMatch(/pull_policy \(\[always\]\) defined in Runner config \(default\)/);
    // Nothing asks for a policy: smoke's own default, so local images stay usable.
    expect(plan("t: { image: i, script: [echo] }", runner("")).pullPolicy).toEqual(["if-not-present"]);
    // The image under test may not be pushed yet: "always" becomes "if-not-present" for it.
    expect(plan("t: { script: [echo] }", runner(`pull_policy = "always"`), { image: "built:1" }).pullPolicy).toEqual(["if-not-present"]);
  });

  it("runs the job as the runner's user, which wins over the image's, and refuses a user outside allowed_users", () => {
    expect(plan("t: { image: { name: i, docker: { user: app } }, script: [echo] }", runner(`user = "1000"`)).user).toBe("1000");
    expect(plan("t: { image: { name: i, docker: { user: app } }, script: [echo] }", runner(`allowed_users = ["app"]`)).user).toBe("app");
    expect(refusal(() => jobUser("root", docker(`allowed_users = ["app", "ci"]`), "c")).message).toBe('user "root" is not an allowed user: [app ci]');
  });
});

describe("variables from the runner's environment", () => {
  it("come before the predefined ones and the job's, which win", () => {
    const p = plan("variables: { B: job }\nt: { image: i, script: [echo] }", runner("", 'environment = ["A=runner", "B=runner", "CI_JOB_NAME=nope"]\n'));
    expect(p.variables).toMatchObject({ A: "runner", B: "job", CI_JOB_NAME: "t" });
  });
});

describe("the project's runner section, as runner-kit config writes it", () => {
  it("applies docker_in_docker as privileged with /certs/client shared, and the team's section over the top level", () => {
    const d = projectRunnerDefaults(
      { url: "https://gitlab.example.com", environment: { A: "top" }, docker: { dns: ["10.0.0.2"] } },
      { team: "data", runner: { docker_in_docker: true, environment: { B: "team" } } },
      "runner-kit.yaml",
    );
    expect(d).toMatchObject({
      source: 'runner-kit.yaml: teams.data.runner (runner "runner-kit-data")',
      name: "runner-kit-data",
      environment: { A: "top", B: "team" },
      docker: { privileged: true, volumes: ["/certs/client", "/cache"], dns: ["10.0.0.2"] },
    });
    expect(projectRunnerDefaults(undefined, { team: "data" }, "runner-kit.yaml")).toBeUndefined();
    expect(projectRunnerDefaults({ enabled: false }, undefined, "runner-kit.yaml")).toBeUndefined();
  });
});
