/**
 * kill -9 at many points during `runner-kit config` and `runner-kit build` (the built binary):
 * config.toml, register/*, docker/config.json and runner-kit.lock are afterwards absent, the
 * previous complete version or the new complete version — never truncated — credentials
 * files are never wider than 0600, and the temporary files a killed writer leaves are removed
 * by the next write.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { atomicTempName } from "../../src/common/atomic-write.js";
import { newRunId } from "../../src/engine/labels.js";
import type { LockFile } from "../../src/lock/lockfile.js";
import { serializeLock } from "../../src/lock/store.js";
import { docker } from "../support/docker.js";
import { killDelays, modeOf, runAndKill, strayTempFiles, timedRun } from "../support/kill-points.js";
import { expectNoLeaks } from "../support/leaks.js";
import { writeProjectFiles } from "../support/project-files.js";

type Snapshot = Record<string, string | undefined>;

function snapshot(dir: string, files: readonly string[]): Snapshot {
  return Object.fromEntries(files.map((f) => [f, existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8") : undefined]));
}

/** A pid that certainly runs no writer: a process that has just exited. */
async function deadPid(): Promise<number> {
  const { execa } = await import("execa");
  const r = await execa("node", ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(r.stdout);
}

let straysSeen = 0;
afterAll(() => console.log(`stray temp files seen right after a kill: ${straysSeen}`));

/** Count temporary files left by the kill and check that a credentials file's one is 0600 too. */
function checkStrays(dir: string, credentials: readonly string[]): void {
  const strays = strayTempFiles(dir);
  straysSeen += strays.length;
  for (const stray of strays) {
    const of = credentials.find((c) => dirname(stray) === dirname(c) && basename(stray).startsWith(`.${basename(c)}.`));
    if (of) expect(modeOf(join(dir, stray)) & 0o077, `${stray} (temporary ${of})`).toBe(0);
  }
}

const CONFIG_KILLS = 30;
const BUILD_KILLS = 10;

describe("kill -9 during `runner-kit config`", () => {
  const runId = newRunId();
  const FILES = ["config.toml", "register/template.toml", "register/register.sh", "docker/config.json"] as const;
  const CREDENTIALS = ["config.toml", "register/template.toml", "docker/config.json"] as const;
  const out = () => join(dir, "out");
  const env = (version: number) => ({ PATH: process.env.PATH, RUNNER_KIT_RUN_ID: runId, RK_REGISTRY_PASSWORD: `pw-${version}-${runId}`, RUNNER_TOKEN: `glrt-${version}-${runId}` });
  const expected: Snapshot[] = [];
  let dir: string;
  let delays: number[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rk-kill-config-"));
    writeProjectFiles(dir, {
      "runner-kit.yaml": [
        "registry: registry.example.com:5000/platform",
        "images:",
        "  job-base:",
        "    template: job-base",
        "    tags: [bookworm]",
        "runner:",
        "  url: https://gitlab.example.com",
        "  registries:",
        "    - host: registry.example.com:5000",
        "      username: ci",
        "      password_env: RK_REGISTRY_PASSWORD",
        "teams:",
        "  data:",
        "    images: [job-base]",
        "",
      ].join("\n"),
    });
    let total = 0;
    for (const version of [0, 1]) {
      const r = await timedRun(["config", "--out", "out"], { cwd: dir, env: env(version) });
      expect(r.code, r.stderr).toBe(0);
      total += r.ms;
      expected.push(snapshot(out(), FILES));
    }
    expect(expected[0]!["config.toml"]).not.toBe(expected[1]!["config.toml"]);
    rmSync(out(), { recursive: true, force: true });
    delays = killDelays(CONFIG_KILLS, total / 2);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (let i = 0; i < CONFIG_KILLS; i++) {
    it(`kill point ${i + 1} of ${CONFIG_KILLS}: every file old, new or absent; credentials 0600`, async () => {
      const version = i % 2;
      const before = snapshot(out(), FILES);
      const outcome = await runAndKill(["config", "--out", "out"], { cwd: dir, env: env(version), delayMs: delays[i]! });
      if (!outcome.killed) expect(outcome.exitCode, outcome.stderr).toBe(0);
      const after = snapshot(out(), FILES);
      for (const file of FILES) {
        const text = after[file];
        if (text === undefined) {
          expect(before[file], `${file} disappeared`).toBeUndefined();
          continue;
        }
        expect([before[file], expected[version]![file]], `${file} after a kill at ${delays[i]} ms`).toContain(text);
        if (file.endsWith(".toml")) expect(() => parseToml(text)).not.toThrow();
        if (file.endsWith(".json")) expect(() => JSON.parse(text)).not.toThrow();
        if (!outcome.killed) expect(text).toBe(expected[version]![file]);
      }
      for (const file of CREDENTIALS) if (after[file] !== undefined) expect(modeOf(join(out(), file)) & 0o077, file).toBe(0);
      checkStrays(out(), CREDENTIALS);
      await expectNoLeaks(runId);
    });
  }

  it("the next complete run removes temporary files that killed writers left", async () => {
    // However many the kills above left (the window is a few milliseconds), plant one more
    // beside each file, as a writer killed between open and rename leaves it.
    // (The kills may all have landed before a file's folder was made: make it, as the writer would have.)
    for (const file of FILES) {
      mkdirSync(dirname(join(out(), file)), { recursive: true });
      writeFileSync(atomicTempName(join(out(), file), await deadPid()), "half a fi", { mode: 0o600 });
    }
    expect(strayTempFiles(out()).length).toBeGreaterThanOrEqual(FILES.length);
    const r = await timedRun(["config", "--out", "out"], { cwd: dir, env: env(0) });
    expect(r.code, r.stderr).toBe(0);
    expect(strayTempFiles(out())).toEqual([]);
    expect(snapshot(out(), FILES)).toEqual(expected[0]);
    await expectNoLeaks(runId);
  });
});

describe("kill -9 during `runner-kit build`", () => {
  const runId = newRunId();
  const repository = `faults.test/rk-kill-${runId}/app`;
  // Every image and build container of this test carries this label (from the template's
  // first instruction), so afterAll removes exactly what the killed builds left.
  const marker = `io.runner-kit.test.kill-build=${runId}`;
  const env = () => ({ PATH: process.env.PATH, HOME: dir, RUNNER_KIT_RUN_ID: runId, ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}) });
  const lockPath = () => join(dir, "runner-kit.lock");
  const argv = ["build", "--force", "--no-cache"];
  const hashes: string[] = [];
  let dir: string;
  let delays: number[] = [];

  const setVersion = (version: number) => writeFileSync(join(dir, "ctx", "v.txt"), `version ${version}\n`);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rk-kill-build-"));
    writeProjectFiles(dir, {
      "runner-kit.yaml": [`registry: faults.test/rk-kill-${runId}`, "templates: templates", "images:", "  app:", "    template: app", "    context: ctx", "    tags: [v1]", ""].join("\n"),
      "templates/app/Dockerfile.hbs": `FROM busybox:latest\nLABEL ${marker}\nCOPY v.txt /v.txt\nRUN sleep 2 && cat /v.txt\n`,
      "ctx/v.txt": "",
    });
    let total = 0;
    for (const version of [0, 1]) {
      setVersion(version);
      const r = await timedRun(argv, { cwd: dir, env: env() });
      expect(r.code, r.stderr).toBe(0);
      total += r.ms;
      hashes.push((JSON.parse(readFileSync(lockPath(), "utf8")) as LockFile).variants.app!.contentHash);
    }
    expect(hashes[0]).not.toBe(hashes[1]);
    rmSync(lockPath());
    delays = killDelays(BUILD_KILLS, total / 2);
  });

  afterAll(async () => {
    const d = await docker();
    const containers = await d.listContainers({ all: true, filters: { label: [marker] } });
    await Promise.all(containers.map((c) => d.getContainer(c.Id).remove({ force: true }).catch(() => {})));
    // Newest first: an intermediate image can only go once its children have.
    const images = (await d.listImages({ all: true, filters: { label: [marker] } })).sort((a, b) => b.Created - a.Created);
    for (const image of images) await d.getImage(image.Id).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  for (let i = 0; i < BUILD_KILLS; i++) {
    it(`kill point ${i + 1} of ${BUILD_KILLS}: runner-kit.lock old, new or absent, never truncated`, async () => {
      const version = i % 2;
      setVersion(version);
      const before = existsSync(lockPath()) ? readFileSync(lockPath(), "utf8") : undefined;
      const outcome = await runAndKill(argv, { cwd: dir, env: env(), delayMs: delays[i]! });
      if (!outcome.killed) expect(outcome.exitCode, outcome.stderr).toBe(0);
      const text = existsSync(lockPath()) ? readFileSync(lockPath(), "utf8") : undefined;
      if (text === undefined) {
        expect(before, "the lock disappeared").toBeUndefined();
      } else if (text !== before) {
        // The new complete version: canonical (a truncated file is not), for this content.
        const lock = JSON.parse(text) as LockFile;
        expect(serializeLock(lock)).toBe(text);
        expect(lock.variants.app).toMatchObject({ repository, tags: ["v1"], contentHash: hashes[version] });
        expect(lock.variants.app!.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
      }
      if (!outcome.killed) expect(text).not.toBe(before);
      checkStrays(dir, []);
      await expectNoLeaks(runId);
    });
  }

  it("the next run succeeds, writes a complete lock and removes stale temporary files", async () => {
    writeFileSync(atomicTempName(lockPath(), await deadPid()), '{"version": 1, "vari', { mode: 0o644 });
    setVersion(0);
    const r = await timedRun(argv, { cwd: dir, env: env() });
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(lockPath(), "utf8");
    expect(serializeLock(JSON.parse(text) as LockFile)).toBe(text);
    expect((JSON.parse(text) as LockFile).variants.app!.contentHash).toBe(hashes[0]);
    expect(strayTempFiles(dir)).toEqual([]);
    await expectNoLeaks(runId);
  });
});
