/**
 * Scenario tests through the built binary: Ctrl-C mid-job removes everything and exits
 * 130; a SIGKILLed run's leftovers (containers, network, volume) are reaped by the next run.
 */
import { execa, type ResultPromise } from "execa";
import { afterAll, describe, expect, inject, it } from "vitest";
import { countResources, listManagedResources } from "../support/resources.js";
import { BIN, runBin } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { project, smokeEnv, uniqueRunId } from "../fixtures/smoke/helpers.js";

const { job, redis } = inject("fixtures");
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

// A per-build network (FF_NETWORK_PER_BUILD), so a network is among what is interrupted and reaped.
const LONG_JOB = `t:\n  image: ${job}\n  variables:\n    FF_NETWORK_PER_BUILD: "true"\n  services:\n    - name: ${redis}\n      alias: cache\n  script:\n    - redis-cli -h cache ping\n    - sleep 600\n  after_script:\n    - echo after\n`;

/** A runner config whose "/cache" volume is a labelled volume of the run. */
const VOLUME_RUNNER = '[[runners]]\n[runners.docker]\nvolumes = ["/cache"]\n';

/** Start the binary and resolve once the job's `sleep` is running. */
async function startLongJob(runId: string, runnerConfig?: string): Promise<{ child: ResultPromise; stderr: () => string }> {
  const p = project(LONG_JOB, runnerConfig ? { "config.toml": runnerConfig } : {});
  cleanups.push(p.cleanup);
  const args = ["smoke", "--job", ".gitlab-ci.yml", ...(runnerConfig ? ["--runner-config", "config.toml"] : [])];
  const child = execa("node", [BIN, ...args], { cwd: p.dir, env: smokeEnv(runId), reject: false, timeout: 120_000 });
  let stderr = "";
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
      if (stderr.includes("$ sleep 600\n")) resolve();
    });
    void child.then(() => reject(new Error(`the run ended before its job started:\n${stderr}`)));
  });
  return { child, stderr: () => stderr };
}

// Sequential: each test's reaper would otherwise race the next test's kill.
describe("smoke: interruption and reaping", () => {
  it("Ctrl-C mid-job stops, removes every container and network, and exits 130", async () => {
    const runId = uniqueRunId("sigint");
    const { child, stderr } = await startLongJob(runId);
    expect(countResources(await listManagedResources(await docker(), runId))).toBeGreaterThanOrEqual(3);
    child.kill("SIGINT");
    const result = await child;
    expect(result.exitCode, stderr()).toBe(130);
    expect(result.stderr).toContain("runner-kit: interrupted; resources created by this run were removed.");
    await expectNoLeaks(runId);
  });

  it("a SIGKILLed run's containers, network and volume are reaped by the next run", async () => {
    const killed = uniqueRunId("killed");
    const { child } = await startLongJob(killed, VOLUME_RUNNER);
    const left = await listManagedResources(await docker(), killed);
    expect(left.containers.length).toBe(2); // the job container and the service
    expect(left.networks.length).toBe(1);
    expect(left.volumes.length).toBe(1); // the runner config's "/cache"
    child.kill("SIGKILL");
    await child;
    // A kill -9 gives no chance to clean up: the resources stay …
    // (listing them now would race the smoke runs of other test files, which reap too)
    // … until a later run (here `--reap`, which does only that) removes them.
    const reaper = uniqueRunId("reaper");
    const r = await runBin(["smoke", "--reap", "--json"], { env: smokeEnv(reaper) });
    expect(r.code, r.stderr).toBe(0);
    await expectNoLeaks(killed);
    await expectNoLeaks(reaper);
    // Another test's run may have reaped first (they all reap at start); if this one did, it says so.
    const doc = JSON.parse(r.stdout) as { containers: number; networks: number; volumes: number; runs: string[] };
    if (doc.runs.includes(killed)) expect(doc.containers).toBeGreaterThanOrEqual(2);
    // The volume is gone (expectNoLeaks above) whichever reaper removed it; the count says what this one removed.
    expect(doc.volumes).toEqual(expect.any(Number));
  });

  it("a normal run also reaps what killed runs left", async () => {
    const killed = uniqueRunId("killed2");
    const { child } = await startLongJob(killed, VOLUME_RUNNER);
    expect(countResources(await listManagedResources(await docker(), killed))).toBe(4); // job, service, network, volume
    child.kill("SIGKILL");
    await child;
    const p = project(`t:\n  image: ${job}\n  script:\n    - echo next\n`);
    cleanups.push(p.cleanup);
    const next = uniqueRunId("next");
    const r = await runBin(["smoke", "--job", ".gitlab-ci.yml"], { cwd: p.dir, env: smokeEnv(next) });
    expect(r.code, r.stderr).toBe(0);
    await expectNoLeaks(killed);
    await expectNoLeaks(next);
    if (r.stderr.includes(killed)) expect(r.stderr).toMatch(new RegExp(`^Removed \\d+ container\\(s\\), \\d+ network\\(s\\) and \\d+ volume\\(s\\) left by killed run\\(s\\) .*${killed}`, "m"));
  });
});
