import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { atomicTempName, removeStaleTempFiles, writeFileAtomic } from "../../src/common/atomic-write.js";

/** The pid of a process that has just exited (so it is certainly not running now). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

describe("writeFileAtomic", () => {
  let dir: string;
  beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), "rk-atomic-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("replaces the file and leaves no temporary file", async () => {
    const path = join(dir, "config.toml");
    writeFileSync(path, "old");
    await writeFileAtomic(path, "new", { mode: 0o600 });
    expect(readFileSync(path, "utf8")).toBe("new");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["config.toml"]);
  });

  it("removes what a killed writer left, but never a live writer's file or another file's", async () => {
    const path = join(dir, "runner-kit.lock");
    const dead = atomicTempName(path, deadPid());
    const live = atomicTempName(path, process.ppid);
    const other = atomicTempName(join(dir, "config.json"), deadPid());
    // A dead pid here may be a live writer on another host sharing the folder.
    const elsewhere = atomicTempName(path, deadPid(), undefined, "another-host");
    for (const f of [dead, live, other, elsewhere]) writeFileSync(f, "half");
    writeFileSync(join(dir, ".runner-kit.lock.notes.tmp"), "not ours");
    await writeFileAtomic(path, "{}\n");
    expect(readdirSync(dir).sort()).toEqual([basename(other), basename(live), basename(elsewhere), ".runner-kit.lock.notes.tmp", "runner-kit.lock"].sort());
  });

  it("reports the stale names it removed and copes with a missing folder", async () => {
    const path = join(dir, "config.toml");
    const stale = atomicTempName(path, 4242, "0123456789ab");
    writeFileSync(stale, "x");
    expect(await removeStaleTempFiles(path, () => false)).toEqual([basename(stale)]);
    expect(await removeStaleTempFiles(join(dir, "nowhere", "config.toml"))).toEqual([]);
  });
});
