import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RunnerKitError } from "../../src/common/errors.js";
import type { LockFile } from "../../src/lock/lockfile.js";
import { mergeLock, readLock, staleLockReasons, writeLock } from "../../src/lock/store.js";

let dir: string;
beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), "rk-lock-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const entry = (hash: string) => ({ repository: "r:5000/p/x", tags: ["v1", "latest"], contentHash: hash, baseImages: { "z:1": "sha256:z", "a:1": "sha256:a" } });

describe("runner-kit.lock", () => {
  it("round-trips with sorted keys, leaving no temporary file", async () => {
    const path = join(dir, "runner-kit.lock");
    const lock: LockFile = { version: 1, variants: { "data/x": { ...entry("h2"), digest: "sha256:d" }, x: entry("h1") } };
    await writeLock(path, lock);
    expect(await readLock(path)).toEqual(lock);
    const text = readFileSync(path, "utf8");
    expect(text.indexOf('"data/x"')).toBeLessThan(text.indexOf('"x"'));
    expect(text.indexOf('"a:1"')).toBeLessThan(text.indexOf('"z:1"'));
    expect(readdirSync(dir)).toEqual(["runner-kit.lock"]);
  });

  it("is absent without error, and a damaged file is a configuration error naming it", async () => {
    expect(await readLock(join(dir, "none.lock"))).toBeUndefined();
    const path = join(dir, "runner-kit.lock");
    writeFileSync(path, "{ not json");
    const error = await readLock(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnerKitError);
    expect((error as RunnerKitError).exitCode).toBe(2);
    expect((error as RunnerKitError).message).toContain(path);
  });

  it("says why it is stale, and merges updates over entries not built this time", () => {
    const lock: LockFile = { version: 1, variants: { x: entry("h1"), y: entry("h3") } };
    expect(staleLockReasons(lock, { x: { repository: "r:5000/p/x", tags: ["latest", "v1"], contentHash: "h1" } })).toEqual([]);
    expect(staleLockReasons(lock, { x: { repository: "r:5000/p/x", tags: ["v1"], contentHash: "h1" } })[0]).toMatch(/tags changed/);
    expect(staleLockReasons(lock, { x: { repository: "r:5000/p/x", tags: ["v1"], contentHash: "h9" } })[0]).toMatch(/^x changed/);
    expect(staleLockReasons(lock, { n: { repository: "r", tags: [], contentHash: "h" } })).toEqual(["n has no entry"]);
    expect(staleLockReasons(undefined, { x: { repository: "r", tags: [], contentHash: "h" } })).toEqual(["x has no entry"]);
    expect(Object.keys(mergeLock(lock, { x: entry("h2") }).variants)).toEqual(["x", "y"]);
    expect(mergeLock(lock, { x: entry("h2") }).variants.x!.contentHash).toBe("h2");
  });
});
