/**
 * Scenario tests, services side: real Docker, the real CLI (in-process entry point),
 * comparing output lines and exit codes; every run asserts nothing is left behind.
 */
import { afterAll, describe, expect, inject, it } from "vitest";
import { expectNoLeaks } from "../support/leaks.js";
import { expectLinesInOrder, project, smokeIn, uniqueRunId } from "../fixtures/smoke/helpers.js";

const { job, redis, http } = inject("fixtures");
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

async function run(name: string, ci: string, args: string[] = []) {
  const p = project(ci);
  cleanups.push(p.cleanup);
  const runId = uniqueRunId(name);
  const result = await smokeIn(p.dir, runId, ["--job", ".gitlab-ci.yml", ...args]);
  await expectNoLeaks(runId);
  return { ...result, runId };
}

describe.concurrent("smoke: services", () => {
  it("reaches a service by its derived aliases and by its explicit alias", async () => {
    const r = await run(
      "alias",
      `t:\n  image: ${job}\n  services:\n    - name: ${redis}\n      alias: cache\n  script:\n    - redis-cli -h runner-kit-test__redis ping\n    - redis-cli -h runner-kit-test-redis ping\n    - redis-cli -h cache ping\n`,
    );
    expect(r.code, r.stderr).toBe(0);
    expectLinesInOrder(r.stderr, [
      `Starting service ${redis} ...`,
      "Waiting for services to be up and running (timeout 30 seconds)...",
      'Executing "step_script" stage of the job script',
      "$ redis-cli -h runner-kit-test__redis ping",
      "PONG",
      "$ redis-cli -h runner-kit-test-redis ping",
      "PONG",
      "$ redis-cli -h cache ping",
      "PONG",
      "Job succeeded",
    ]);
    expect(r.stderr).toMatch(new RegExp(`^Service ${redis.replace(/[.]/g, "\\.")} is ready on port 6379 after \\d+\\.\\d\\d s$`, "m"));
    expect(r.stdout).toMatch(new RegExp(`^services: ${redis} as runner-kit-test__redis, runner-kit-test-redis, cache: ready in \\d+\\.\\d\\d s on port 6379$`, "m"));
    expect(r.stdout).toMatch(/^result: {3}passed$/m);
  });

  it("runs two services of the same image, skipping the taken alias with GitLab's warning", async () => {
    const r = await run(
      "twice",
      `t:\n  image: ${job}\n  services:\n    - name: ${redis}\n      alias: one\n    - name: ${redis}\n      alias: two\n  script:\n    - redis-cli -h one set k 1\n    - redis-cli -h two get k | grep -qv 1 && echo separate\n    - redis-cli -h runner-kit-test__redis get k\n`,
    );
    expect(r.code, r.stderr).toBe(0);
    expectLinesInOrder(r.stderr, [
      `WARNING: Skipping alias "runner-kit-test__redis" for service "${redis}" (services[1]): alias is already in use by another service.`,
      `WARNING: Skipping alias "runner-kit-test-redis" for service "${redis}" (services[1]): alias is already in use by another service.`,
      "$ redis-cli -h one set k 1",
      "OK",
      "separate",
      "$ redis-cli -h runner-kit-test__redis get k",
      "1",
    ]);
    expect(r.stdout).toContain(`          ${redis} as two: ready in`);
  });

  it("gives a service its entrypoint, command and variables (expanded against the job's)", async () => {
    const r = await run(
      "cmd",
      [
        "variables:",
        "  WHO: world",
        "t:",
        `  image: ${job}`,
        "  services:",
        `    - name: ${http}`,
        "      alias: web",
        '      entrypoint: ["/bin/sh", "-c"]',
        '      command: ["mkdir -p /w && echo \\"$PAGE\\" > /w/index.html && exec httpd -f -p 8080 -h /w"]',
        "      variables:",
        '        PAGE: "hello ${WHO} from $CI_JOB_NAME"',
        "  script:",
        "    - wget -qO- http://web:8080/",
        "",
      ].join("\n"),
    );
    expect(r.code, r.stderr).toBe(0);
    expectLinesInOrder(r.stderr, ["$ wget -qO- http://web:8080/", "hello world from t", "Job succeeded"]);
  });

  it("waits on HEALTHCHECK_TCP_PORT instead of the exposed port", async () => {
    const r = await run(
      "hcport",
      `t:\n  image: ${job}\n  services:\n    - name: ${http}\n      alias: web\n      command: ["httpd", "-f", "-p", "9090", "-h", "/www"]\n      variables:\n        HEALTHCHECK_TCP_PORT: "9090"\n  script:\n    - wget -qO- http://web:9090/\n`,
      ["--services-timeout", "20"],
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^Service ${http.replace(/[.]/g, "\\.")} is ready on port 9090 after`, "m"));
    expectLinesInOrder(r.stderr, ["$ wget -qO- http://web:9090/", "hello from runner-kit http service"]);
  });

  it("checks readiness from a busybox job image, whose nc has no -z, without a false warning", async () => {
    const r = await run(
      "bbprobe",
      `t:\n  image: busybox:latest\n  services:\n    - name: ${http}\n      alias: web\n  script:\n    - wget -qO- http://web:8080/\n`,
      ["--services-timeout", "20"],
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^Service ${http.replace(/[.]/g, "\\.")} is ready on port 8080 after`, "m"));
    expect(r.stderr).not.toContain("probably didn't start properly");
    expectLinesInOrder(r.stderr, ["$ wget -qO- http://web:8080/", "hello from runner-kit http service"]);
  });

  it("starts no service whose name expands to nothing, and runs the job, as GitLab Runner does", async () => {
    const r = await run("emptysvc", `t:\n  image: ${job}\n  services:\n    - name: $UNDEFINED_SERVICE\n  script:\n    - echo ran-without-it\n`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("Starting service");
    expectLinesInOrder(r.stderr, ["$ echo ran-without-it", "ran-without-it", "Job succeeded"]);
  });

  const neverListens = `t:\n  image: ${job}\n  services:\n    - name: ${http}\n      alias: web\n      entrypoint: ["/bin/sh", "-c"]\n      command: ["echo service-said-this; exec sleep 600"]\n  script:\n    - echo script-ran\n`;

  it("warns about a service that never listens, with its log, and still runs the job", async () => {
    const r = await run("never", neverListens, ["--services-timeout", "1"]);
    expect(r.code, r.stderr).toBe(0);
    expectLinesInOrder(r.stderr, [
      "Waiting for services to be up and running (timeout 1 seconds)...",
      `*** WARNING: Service ${http} probably didn't start properly.`,
      "Health check error:",
      `service "${http}" did not accept a TCP connection on port 8080 within 1 s`,
      "Service container logs:",
      "service-said-this",
      "*********",
      "$ echo script-ran",
      "script-ran",
      "Job succeeded",
    ]);
    expect(r.stdout).toContain(`not ready (service "${http}" did not accept a TCP connection on port 8080 within 1 s)`);
  });

  it("fails the job under --strict-services when a service never listens", async () => {
    const r = await run("strict", neverListens, ["--services-timeout", "1", "--strict-services", "--json"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`*** WARNING: Service ${http} probably didn't start properly.`);
    expect(r.stderr).not.toContain("script-ran");
    expect(r.stderr).toContain(`ERROR: Job failed: service(s) ${http} did not become ready and --strict-services is set`);
    const doc = JSON.parse(r.stdout) as { result: string; services: { ready: boolean }[] };
    expect(doc.result).toBe("failed");
    expect(doc.services[0]?.ready).toBe(false);
  });

  it("uses default: services unless the job lists its own, which replace them", async () => {
    const ci = `default:\n  image: ${job}\n  services:\n    - name: ${redis}\n      alias: cache\nuses-default:\n  script:\n    - redis-cli -h cache ping\nown:\n  services:\n    - name: ${http}\n      alias: web\n  script:\n    - wget -qO- http://web:8080/\n    - getent hosts cache || echo no-cache-here\n`;
    const p = project(ci);
    cleanups.push(p.cleanup);
    const [a, b] = [uniqueRunId("def-a"), uniqueRunId("def-b")];
    const [ra, rb] = await Promise.all([smokeIn(p.dir, a, ["--job", ".gitlab-ci.yml#uses-default"]), smokeIn(p.dir, b, ["--job", ".gitlab-ci.yml#own"])]);
    await expectNoLeaks(a);
    await expectNoLeaks(b);
    expect(ra.code, ra.stderr).toBe(0);
    expectLinesInOrder(ra.stderr, [`Starting service ${redis} ...`, "$ redis-cli -h cache ping", "PONG"]);
    expect(rb.code, rb.stderr).toBe(0);
    expect(rb.stderr).not.toContain(`Starting service ${redis}`);
    expectLinesInOrder(rb.stderr, [`Starting service ${http} ...`, "hello from runner-kit http service", "no-cache-here"]);
  });

  it("takes the image and services from a config.toml given with --runner-config, before the job's services", async () => {
    const p = project(`t:\n  services:\n    - name: ${http}\n      alias: web\n  script:\n    - redis-cli -h fromconfig ping\n    - wget -qO- http://web:8080/\n    - echo "$FROM_CONFIG"\n`, {
      "config.toml": `[[runners]]\nname = "r"\nexecutor = "docker"\n[runners.docker]\nimage = "${job}"\n[[runners.docker.services]]\nname = "${redis}"\nalias = "fromconfig"\nenvironment = ["FROM_CONFIG=svc-only"]\n`,
    });
    cleanups.push(p.cleanup);
    const runId = uniqueRunId("toml");
    const r = await smokeIn(p.dir, runId, ["--job", ".gitlab-ci.yml", "--runner-config", "config.toml"]);
    await expectNoLeaks(runId);
    expect(r.code, r.stderr).toBe(0);
    expectLinesInOrder(r.stderr, [`Using Docker executor with image ${job} ...`, "$ redis-cli -h fromconfig ping", "PONG", "hello from runner-kit http service", '$ echo "$FROM_CONFIG"', ""]);
    expect(r.stdout).toMatch(new RegExp(`^services: ${redis} as runner-kit-test__redis, runner-kit-test-redis, fromconfig: ready`, "m"));
  });

  it("fails the job, without running it, when a service cannot be started", async () => {
    const r = await run("svcfail", `t:\n  image: ${job}\n  services:\n    - name: ${http}\n      entrypoint: ["/no/such/binary"]\n  script:\n    - echo should-not-run\n`);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain("should-not-run");
    expect(r.stderr).toMatch(new RegExp(`^runner-kit: ${http.replace(/[.]/g, "\\.")}: the service ${http.replace(/[.]/g, "\\.")} could not be started: .*no/such/binary.*Check its entrypoint and command\\.$`, "m"));
  });

  it("runs concurrently with another run of the same run id (build --smoke of several images) without touching it", async () => {
    const svc = `  image: ${job}\n  services:\n    - name: ${redis}\n      alias: cache\n`;
    // The fast run cleans up while the slow one still needs its service.
    const p = project(`fast:\n${svc}  script:\n    - redis-cli -h cache ping\nslow:\n${svc}  script:\n    - sleep 3\n    - redis-cli -h cache ping\n`);
    cleanups.push(p.cleanup);
    const runId = uniqueRunId("shared");
    const [a, b] = await Promise.all([smokeIn(p.dir, runId, ["--job", ".gitlab-ci.yml#fast"]), smokeIn(p.dir, runId, ["--job", ".gitlab-ci.yml#slow"])]);
    await expectNoLeaks(runId);
    for (const r of [a, b]) {
      expect(r.code, r.stderr).toBe(0);
      expectLinesInOrder(r.stderr, ["$ redis-cli -h cache ping", "PONG", "Job succeeded"]);
    }
  });
});
