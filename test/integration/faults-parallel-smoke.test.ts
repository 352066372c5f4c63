/**
 * 20 `runner-kit smoke` processes (the built binary) at once on one daemon, each job with one
 * service: all pass, each sees only its own service (no name or network collision), and none
 * leaves anything behind.
 */
import { afterAll, describe, expect, inject, it } from "vitest";
import { execa } from "execa";
import { listManagedResources } from "../support/resources.js";
import { BIN } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { project, smokeEnv, uniqueRunId } from "../fixtures/smoke/helpers.js";

const RUNS = 20;
const { job, http } = inject("fixtures");
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

/** Each service serves a page naming its own run, so a job that reached another run's service would print the wrong one. */
function ci(mark: string): string {
  return [
    "t:",
    `  image: ${job}`,
    "  services:",
    `    - name: ${http}`,
    "      alias: web",
    '      entrypoint: ["/bin/sh", "-c"]',
    `      command: ["mkdir -p /w && echo page-of-${mark} > /w/index.html && exec httpd -f -p 8080 -h /w"]`,
    "  script:",
    "    - wget -qO- http://web:8080/",
    "",
  ].join("\n");
}

describe("20 smoke runs in parallel on one daemon", () => {
  it(`all ${RUNS} pass, each with its own containers, network and service, and leave nothing`, { timeout: 900_000 }, async () => {
    const d = await docker();
    const runIds = Array.from({ length: RUNS }, (_, i) => uniqueRunId(`par${i}`));
    // While they run: which container and network names each run holds.
    const names = new Map<string, Set<string>>(runIds.map((id) => [id, new Set()]));
    const networksPerRun = new Map<string, Set<string>>(runIds.map((id) => [id, new Set()]));
    let running = true;
    const watcher = (async () => {
      while (running) {
        const all = await listManagedResources(d);
        for (const c of all.containers) if (c.runId && names.has(c.runId)) names.get(c.runId)!.add(`container ${c.name}`);
        for (const n of all.networks) {
          if (!n.runId || !names.has(n.runId)) continue;
          names.get(n.runId)!.add(`network ${n.name}`);
          networksPerRun.get(n.runId)!.add(n.id);
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    })();
    const results = await Promise.all(
      runIds.map((runId) => {
        const p = project(ci(runId));
        cleanups.push(p.cleanup);
        return execa("node", [BIN, "smoke", "--job", ".gitlab-ci.yml"], { cwd: p.dir, env: smokeEnv(runId), reject: false, timeout: 800_000 });
      }),
    );
    running = false;
    await watcher;

    results.forEach((r, i) => {
      const runId = runIds[i]!;
      expect(r.exitCode, `run ${runId}:\n${r.stderr}`).toBe(0);
      expect(r.stderr, runId).toContain(`page-of-${runId}\n`);
      expect(r.stderr, runId).toContain("Job succeeded");
      for (const other of runIds) if (other !== runId) expect(r.stderr, `${runId} saw ${other}'s service`).not.toContain(`page-of-${other}\n`);
    });
    // No name is held by two runs, and no run had more than its one network.
    const owners = new Map<string, string>();
    for (const [runId, held] of names) {
      for (const name of held) {
        expect(owners.get(name), `${name} used by ${owners.get(name)} and ${runId}`).toBeUndefined();
        owners.set(name, runId);
      }
      expect(networksPerRun.get(runId)!.size, runId).toBeLessThanOrEqual(1);
    }
    expect([...names.values()].some((s) => s.size > 0), "the watcher saw none of the runs' resources").toBe(true);
    for (const runId of runIds) await expectNoLeaks(runId);
  });
});
