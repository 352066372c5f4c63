/**
 * The Docker daemon restarts while `runner-kit build --builder classic` (the built binary) is in a RUN step
 * (the BuildKit builder has its own fault test, faults-buildkit-daemon.test.ts).
 * The test owns that daemon (its own socket, data-root, exec-root, pidfile and bridge), so
 * the shared daemon is never touched. Asserted: a clear one-paragraph failure with exit 1 and
 * no stack trace, runner-kit.lock left as it was, and the next run succeeds.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { countResources, listManagedResources } from "../support/resources.js";
import type { LockFile } from "../../src/lock/lockfile.js";
import { serializeLock } from "../../src/lock/store.js";
import { BIN, runBin } from "../support/cli.js";
import { PrivateDaemon } from "../support/private-daemon.js";
import { writeProjectFiles } from "../support/project-files.js";

describe("Docker daemon restarted mid-build", () => {
  const runId = newRunId();
  const daemon = new PrivateDaemon();
  let dir: string;
  const lockPath = () => join(dir, "runner-kit.lock");
  const env = () => ({ PATH: process.env.PATH, HOME: dir, NO_COLOR: "1", RUNNER_KIT_RUN_ID: runId, DOCKER_HOST: daemon.host });
  const setVersion = (v: string) => writeFileSync(join(dir, "ctx", "v.txt"), `${v}\n`);
  const readLockText = () => (existsSync(lockPath()) ? readFileSync(lockPath(), "utf8") : undefined);

  async function expectNoLeaksOnDaemon(): Promise<void> {
    const left = await listManagedResources(daemon.client(), runId);
    expect(countResources(left), JSON.stringify(left)).toBe(0);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rk-daemon-restart-"));
    writeProjectFiles(dir, {
      "runner-kit.yaml": [`registry: faults.test/rk-${runId}`, "templates: templates", "images:", "  app:", "    template: app", "    context: ctx", "    tags: [v1]", ""].join("\n"),
      // v.txt holds how long the RUN step sleeps: long enough in the faulty run that the
      // daemon's shutdown (which stops the step's container) cuts it.
      "templates/app/Dockerfile.hbs": "FROM busybox:latest\nCOPY v.txt /v.txt\nRUN echo step-started && sleep $(cat /v.txt) && echo step-done\n",
      "ctx/v.txt": "2\n",
    });
    await daemon.start();
    await daemon.loadFrom("busybox:latest", process.env.DOCKER_HOST);
    // A first, complete build on the private daemon writes the lock the fault must not damage.
    const r = await runBin(["build", "--builder", "classic"], { cwd: dir, env: env(), timeoutMs: 300_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("[app] step-done\n");
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await daemon.remove();
    // Nothing of it is left on this host.
    expect(existsSync(daemon.dir)).toBe(false);
    expect((await execa("ip", ["link", "show", daemon.bridge], { reject: false })).exitCode).not.toBe(0);
  });

  it("restart during RUN: one clear paragraph, exit 1, no stack, lock untouched; the next run succeeds", async () => {
    const before = readLockText();
    expect(before).toBeDefined();
    setVersion("600");
    const child = execa("node", [BIN, "build", "--builder", "classic"], { cwd: dir, env: env(), reject: false, timeout: 300_000 });
    let stderr = "";
    let restarted: Promise<void> | undefined;
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
      if (!restarted && stderr.includes("[app] step-started\n")) restarted = daemon.restart();
    });
    const r = await child;
    expect(restarted, `the RUN step never started:\n${r.stderr}`).toBeDefined();
    await restarted;
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toContain("internal error");
    const errorLines = r.stderr.split("\n").filter((l) => l.startsWith("runner-kit:"));
    expect(errorLines, r.stderr).toHaveLength(1);
    const failed = r.stderr.split("\n").find((l) => l.startsWith("[app] failed after"));
    // One line naming the image and what happened: either the daemon's own words (it stops the
    // step's container on the way down: exit 137 of the RUN step, which runner-kit explains), or, when the connection
    // dropped first, runner-kit's.
    expect(failed, r.stderr).toMatch(
      new RegExp(
        "^\\[app\\] failed after [\\d.]+ s: (" +
          "step 3/4 : RUN .* failed: The command .* returned a non-zero code: 137 — exit code 137 means the step's process was killed \\(SIGKILL\\), not that its command failed: .*the Docker daemon stopped or restarted while the step ran" +
          "|(step \\d/4 failed: )?the Docker daemon closed the connection during the build \\(.+\\), so it stopped or restarted; check that it is running, then run the build again" +
          ")$",
      ),
    );
    expect(r.stderr).not.toContain("[app] step-done\n");
    expect(readLockText()).toBe(before);

    // The daemon is back: the next build succeeds and records the new content.
    setVersion("3");
    const next = await runBin(["build", "--builder", "classic"], { cwd: dir, env: env(), timeoutMs: 300_000 });
    expect(next.code, next.stderr).toBe(0);
    const text = readLockText()!;
    expect(serializeLock(JSON.parse(text) as LockFile)).toBe(text);
    expect(text).not.toBe(before);
    await expectNoLeaksOnDaemon();
  });
});
