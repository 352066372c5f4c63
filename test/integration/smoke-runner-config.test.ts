/**
 * smoke under a runner's [runners.docker] config: what the daemon got for the job and its
 * services (docker inspect while the job waits), a job the runner refuses, and a host that
 * refuses privileged containers. Real Docker, the real CLI in-process.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import { afterAll, describe, expect, inject, it } from "vitest";
import { RUN_LABEL } from "../../src/engine/labels.js";
import { ROLE_LABEL } from "../../src/smoke/executor/resources.js";
import { runInProcess } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { startEngineRecorder } from "../support/engine-recorder.js";
import { expectNoLeaks } from "../support/leaks.js";
import { expectLinesInOrder, project, removeImages, smokeEnv, smokeIn, uniqueRunId } from "../fixtures/smoke/helpers.js";
import { writeProjectFiles } from "../support/project-files.js";

const { job, redis } = inject("fixtures");
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

function tempProject(ci: string, toml: string) {
  const p = project(ci, { "config.toml": toml });
  cleanups.push(p.cleanup);
  return p;
}

/** The run's containers by role, once the job container runs and every service is up. */
async function runningContainers(d: Docker, runId: string, services: number): Promise<Record<string, Docker.ContainerInspectInfo[]>> {
  for (let i = 0; i < 600; i += 1) {
    const list = await d.listContainers({ filters: { label: [`${RUN_LABEL}=${runId}`], status: ["running"] } });
    const byRole = (role: string) => list.filter((c) => c.Labels[ROLE_LABEL] === role);
    if (byRole("build").length === 1 && byRole("service").length === services) {
      const inspect = (ids: string[]) => Promise.all(ids.map((id) => d.getContainer(id).inspect()));
      return { build: await inspect(byRole("build").map((c) => c.Id)), service: await inspect(byRole("service").map((c) => c.Id)) };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${runId}: the job and ${services} service container(s) never ran together`);
}

/**
 * Run the project's job under its config.toml and inspect the job and service containers
 * while the job waits for `<signal>/go`, which is written once they are inspected.
 */
async function runInspected(dir: string, runId: string, signal: string) {
  const running = smokeIn(dir, runId, ["--job", ".gitlab-ci.yml", "--runner-config", "config.toml"]);
  const d = await docker();
  const seen = await runningContainers(d, runId, 1).finally(() => writeFileSync(join(signal, "go"), ""));
  return { r: await running, seen, d };
}

describe.concurrent("smoke: the runner's [runners.docker] config", () => {
  it("gives the job and its services what the Docker executor gives them (docker inspect), and removes the run's volume", async () => {
    const signal = mkdtempSync(join(tmpdir(), "rk-signal-"));
    chmodSync(signal, 0o755); // the job runs as user 1000
    cleanups.push(() => rmSync(signal, { recursive: true, force: true }));
    const toml = [
      "[[runners]]", 'name = "fleet"', 'environment = ["FROM_RUNNER=yes"]', "[runners.docker]",
      'cap_add = ["NET_ADMIN"]', 'cap_drop = ["MKNOD"]', 'security_opt = ["no-new-privileges"]', 'services_security_opt = ["seccomp=unconfined"]',
      'dns = ["10.9.8.7"]', 'dns_search = ["corp.example"]', 'extra_hosts = ["fleet-host:10.1.2.3"]', 'user = "1000"', "shm_size = 33554432",
      'memory = "256m"', 'cpus = "0.5"', 'service_memory = "128m"', `volumes = ["/cache", "${signal}:/signal:ro"]`, "services_limit = 1",
      "[runners.docker.tmpfs]", '"/scratch" = "rw,size=8m"',
      "[[runners.docker.services]]", `name = "${redis}"`, 'alias = "cache"', "",
    ].join("\n");
    const p = tempProject(
      `t:\n  image: ${job}\n  script:\n    - echo "runner says $FROM_RUNNER"\n    - id -u\n    - grep fleet-host /etc/hosts | cut -f2\n    - grep -q ' /cache ' /proc/mounts && echo cache-mounted\n    - redis-cli -h cache ping\n    - for i in $(seq 600); do [ -f /signal/go ] && break; sleep 0.1; done; ls /signal\n`,
      toml,
    );
    const runId = uniqueRunId("rcfg");
    const { r, seen } = await runInspected(p.dir, runId, signal);
    expect(r.code, r.stderr).toBe(0);
    expectLinesInOrder(r.stderr, ["runner says yes", "1000", "fleet-host", "cache-mounted", "PONG", "go", "Job succeeded"]);

    const [build] = seen.build as Docker.ContainerInspectInfo[];
    const [service] = seen.service as Docker.ContainerInspectInfo[];
    const cacheMount = build?.Mounts.find((m) => m.Destination === "/cache");
    expect(cacheMount?.Type).toBe("volume");
    const binds = [`${cacheMount?.Name}:/cache`, `${signal}:/signal:ro`];
    expect(build?.Config.User).toBe("1000");
    expect(build?.HostConfig).toMatchObject({
      CapAdd: ["NET_ADMIN"], CapDrop: ["MKNOD"], SecurityOpt: ["no-new-privileges"], Dns: ["10.9.8.7"], DnsSearch: ["corp.example"],
      ShmSize: 33554432, Memory: 256 * 1024 ** 2, NanoCpus: 500_000_000, Tmpfs: { "/scratch": "rw,size=8m" }, Binds: binds, Privileged: false,
    });
    expect(build?.HostConfig.ExtraHosts).toContain("fleet-host:10.1.2.3");
    // Services: the same volumes, DNS and extra hosts; services_security_opt and service_memory; never cap_add or cap_drop.
    expect(service?.HostConfig).toMatchObject({ SecurityOpt: ["seccomp=unconfined"], Dns: ["10.9.8.7"], Memory: 128 * 1024 ** 2, Binds: binds, Privileged: false });
    expect(service?.HostConfig.CapAdd ?? []).toEqual([]);
    expect(service?.HostConfig.ExtraHosts).toContain("fleet-host:10.1.2.3");
    // The run's /cache volume was labelled with the run, and is gone with everything else.
    expect(cacheMount?.Name).toMatch(new RegExp(`^rk-smoke-${runId}-`));
    await expectNoLeaks(runId);
  });

  it("refuses a job the runner refuses, in the runner's words, before anything is created", async () => {
    const p = tempProject(`t:\n  image: ${job}\n  services: [${redis}]\n  script: [echo never]\n`, `[[runners]]\n[runners.docker]\nallowed_services = ["postgres:*"]\n`);
    const runId = uniqueRunId("refuse");
    const r = await smokeIn(p.dir, runId, ["--job", ".gitlab-ci.yml", "--runner-config", "config.toml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`The "${redis}" image is not present on list of allowed services: postgres:*`);
    expect(r.stderr).not.toContain("never");
    expect(r.stderr).not.toMatch(/^\s+at /m);
    await expectNoLeaks(runId);
  });

  it("warns about the keys it cannot honour", async () => {
    const p = tempProject(`t:\n  image: ${job}\n  script: [echo ran]\n`, `[[runners]]\n[runners.docker]\nhelper_image = "x"\n`);
    const runId = uniqueRunId("warn");
    const r = await smokeIn(p.dir, runId, ["--job", ".gitlab-ci.yml", "--runner-config", "config.toml"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("WARNING: config.toml: [runners.docker] helper_image is not applied by smoke; the job runs as if it were not set");
    await expectNoLeaks(runId);
  });

  it("applies the project's runner section for the image's team variant, as runner-kit config writes it", async () => {
    const d = await docker();
    const suffix = uniqueRunId("proj").slice(2).toLowerCase();
    const tag = `localhost:5000/rk-${suffix}/data/app:dev`;
    await d.getImage(job).tag({ repo: tag.slice(0, tag.lastIndexOf(":")), tag: "dev" });
    cleanups.push(() => void removeImages([tag]));
    const p = project("t:\n  script:\n    - echo \"who=$WHO top=$TOP\"\n    - grep -o 'search data.example' /etc/resolv.conf\n");
    cleanups.push(p.cleanup);
    writeProjectFiles(p.dir, {
      "templates/app/Dockerfile.hbs": "FROM debian:bookworm\n",
      "runner-kit.yaml": [
        `registry: localhost:5000/rk-${suffix}`, "templates: templates", "images:", "  app:", "    template: app", "teams:", "  data:", "    images: [app]",
        "    runner:", "      environment: { WHO: data }", "      docker: { dns_search: [data.example] }",
        "runner:", "  url: https://gitlab.example.com", "  environment: { WHO: top, TOP: yes }", "",
      ].join("\n"),
    });
    const runId = uniqueRunId("proj");
    const r = await smokeIn(p.dir, runId, ["--job", ".gitlab-ci.yml", "--image", tag]);
    await expectNoLeaks(runId);
    expect(r.code, r.stderr).toBe(0);
    expectLinesInOrder(r.stderr, ["who=data top=yes", "search data.example", "Job succeeded"]);
  });

  it("sends Privileged: true for privileged = true, and says clearly when the host refuses it", async () => {
    const recorder = await startEngineRecorder();
    cleanups.push(() => void recorder.close());
    const p = tempProject(`t:\n  image: ${job}\n  script: [echo inside]\n`, `[[runners]]\nname = "dind"\n[runners.docker]\nprivileged = true\n`);
    const runId = uniqueRunId("priv");
    const r = await runInProcess(["smoke", "--job", ".gitlab-ci.yml", "--runner-config", "config.toml"], { cwd: p.dir, env: { ...smokeEnv(runId), DOCKER_HOST: recorder.host } });
    const build = recorder.createBodies().find((b) => (b.Labels as Record<string, string>)[ROLE_LABEL] === "build");
    expect((build?.HostConfig as { Privileged?: boolean } | undefined)?.Privileged).toBe(true);
    await expectNoLeaks(runId);
    if (r.code === 0) {
      // A host that allows privileged containers (a user's machine) runs the job.
      expect(r.stderr).toContain("inside");
      return;
    }
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^runner-kit: the Docker daemon cannot start the job container privileged: the runner config sets privileged = true \(config\.toml \(runner "dind"\)\), and this host does not let a container have every capability/m);
    expect(r.stderr).toMatch(/Run smoke on a host that can start privileged containers/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it("gives the job and its services the kernel, cgroup and runtime keys the Docker executor gives them (docker inspect)", async () => {
    const signal = mkdtempSync(join(tmpdir(), "rk-signal-"));
    cleanups.push(() => rmSync(signal, { recursive: true, force: true }));
    const redisName = redis.slice(0, redis.lastIndexOf(":"));
    const toml = [
      "[[runners]]", "[runners.docker]", `volumes = ["${signal}:/signal:ro"]`,
      'devices = ["/dev/null:/dev/rk-null"]', 'device_cgroup_rules = ["c 1:3 mr"]', 'group_add = ["1234"]', 'runtime = "runc"', 'pid_mode = "host"',
      'ipcmode = "shareable"', 'userns_mode = "host"', 'isolation = "default"', "oom_kill_disable = true", "oom_score_adjust = 100",
      'cpuset_cpus = "0"', 'cpuset_mems = "0"', "cpu_shares = 512", 'service_cpuset_cpus = "0"', "service_cpu_shares = 256",
      "[runners.docker.sysctls]", '"net.ipv4.ip_forward" = "1"', "[runners.docker.ulimit]", 'nofile = "1024:2048"',
      "[runners.docker.services_devices]", `"${redisName}:*" = ["/dev/null:/dev/svc-null"]`, '"nothing/matches*" = ["/dev/zero"]',
      "[[runners.docker.services]]", `name = "${redis}"`, 'alias = "cache"', "",
    ].join("\n");
    const p = tempProject(
      [
        "t:", `  image: ${job}`, "  script:", "    - test -c /dev/rk-null && echo dev-mapped", "    - cat /proc/sys/net/ipv4/ip_forward", "    - ulimit -n",
        "    - id -G | tr ' ' '\\n' | grep -x 1234", "    - cat /proc/self/oom_score_adj", "    - redis-cli -h cache ping",
        "    - for i in $(seq 600); do [ -f /signal/go ] && break; sleep 0.1; done; ls /signal", "",
      ].join("\n"),
      toml,
    );
    const runId = uniqueRunId("kernel");
    const { r, seen, d } = await runInspected(p.dir, runId, signal);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/WARNING: .*(devices|sysctls|ulimit|group_add|runtime|pid_mode|ipcmode|userns_mode|oom_|cpuset|cpu_shares|isolation)/);
    expectLinesInOrder(r.stderr, ["dev-mapped", "1", "1024", "1234", "100", "PONG", "go", "Job succeeded"]);

    const [build] = seen.build as Docker.ContainerInspectInfo[];
    const [svc] = seen.service as Docker.ContainerInspectInfo[];
    expect(build?.HostConfig).toMatchObject({
      Devices: [{ PathOnHost: "/dev/null", PathInContainer: "/dev/rk-null", CgroupPermissions: "rwm" }], DeviceCgroupRules: ["c 1:3 mr"],
      Sysctls: { "net.ipv4.ip_forward": "1" }, Ulimits: [{ Name: "nofile", Soft: 1024, Hard: 2048 }], GroupAdd: ["1234"], Runtime: "runc",
      PidMode: "host", IpcMode: "shareable", UsernsMode: "host", Isolation: "default", OomScoreAdj: 100, CpusetCpus: "0", CpusetMems: "0", CpuShares: 512,
    });
    // A daemon that cannot disable the OOM killer (cgroup v2) drops the setting; this one (cgroup v1) keeps it.
    const info = (await d.info()) as { OomKillDisable?: boolean };
    expect(Boolean(build?.HostConfig.OomKillDisable)).toBe(info.OomKillDisable === true);
    // The service: services_devices of its glob, service_cpuset_cpus/cpu_shares, the shared runtime, userns and isolation — nothing else.
    expect(svc?.HostConfig).toMatchObject({
      Devices: [{ PathOnHost: "/dev/null", PathInContainer: "/dev/svc-null", CgroupPermissions: "rwm" }], CpusetCpus: "0", CpuShares: 256,
      Runtime: "runc", UsernsMode: "host", Isolation: "default", PidMode: "", OomScoreAdj: 0, CpusetMems: "",
    });
    expect(svc?.HostConfig.Ulimits ?? []).toEqual([]);
    expect(svc?.HostConfig.GroupAdd ?? []).toEqual([]);
    expect(svc?.HostConfig.DeviceCgroupRules ?? []).toEqual([]);
    expect(svc?.HostConfig.Sysctls ?? {}).toEqual({});
    expect(svc?.HostConfig.IpcMode).not.toBe("shareable");
    expect(Boolean(svc?.HostConfig.OomKillDisable)).toBe(false);
    await expectNoLeaks(runId);
  });
});
