import { describe, expect, it } from "vitest";
import { RunnerKitError } from "../../src/common/errors.js";
import type { LockEntry } from "../../src/lock/lockfile.js";
import { mergeLockFragments } from "../../src/lock/merge-fragments.js";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runInProcess } from "../support/cli.js";
import { makeProject } from "../fixtures/project/make-project.js";

const entry = (repository: string, digest: string): LockEntry => ({
  repository,
  tags: ["latest"],
  contentHash: `sha256:${"a".repeat(64)}`,
  baseImages: {},
  digest,
});

describe("mergeLockFragments", () => {
  it("merges one-variant fragments over the committed lock, sorted", () => {
    const base = { version: 1 as const, variants: { old: entry("r/old", "sha256:1"), "job-base": entry("r/job-base", "sha256:0") } };
    const merged = mergeLockFragments(
      [
        { name: "locks/runner-aws.lock", lock: { version: 1, variants: { "runner-aws": entry("r/runner-aws", "sha256:2") } } },
        { name: "locks/job-base.lock", lock: { version: 1, variants: { "job-base": entry("r/job-base", "sha256:3") } } },
      ],
      base,
    );
    expect(Object.keys(merged.variants)).toEqual(["job-base", "old", "runner-aws"]);
    expect(merged.variants["job-base"]!.digest).toBe("sha256:3");
  });

  it("refuses two fragments that disagree about one variant", () => {
    const a = { name: "a.lock", lock: { version: 1 as const, variants: { x: entry("r/x", "sha256:1") } } };
    const b = { name: "b.lock", lock: { version: 1 as const, variants: { x: entry("r/x", "sha256:2") } } };
    expect(() => mergeLockFragments([a, b])).toThrow(RunnerKitError);
    expect(() => mergeLockFragments([a, b])).toThrow("lock fragments a.lock and b.lock disagree about variant x");
    expect(mergeLockFragments([a, { ...a, name: "c.lock" }]).variants.x!.digest).toBe("sha256:1");
  });
});

describe("runner-kit lock merge with no fragments (a glob that matched nothing)", () => {
  const committed = { version: 1, variants: { "job-base": entry("r/job-base", "sha256:0") } };

  it("keeps the committed lock as it is and says so", async () => {
    const cwd = makeProject({});
    writeFileSync(join(cwd, "runner-kit.lock"), `${JSON.stringify(committed, null, 2)}\n`);
    const before = readFileSync(join(cwd, "runner-kit.lock"), "utf8");
    const r = await runInProcess(["lock", "merge", "locks/*.lock", "--out", "runner-kit.lock"], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("no lock fragments matched locks/*.lock; runner-kit.lock kept as it is (1 variants)");
    expect(readFileSync(join(cwd, "runner-kit.lock"), "utf8")).toBe(before);
  });

  it("without a lock to keep, exits 2 naming where fragments come from, and writes nothing", async () => {
    const cwd = makeProject({});
    const r = await runInProcess(["lock", "merge", "locks/*.lock", "--out", "runner-kit.lock"], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no lock fragments matched locks\/\*\.lock and runner-kit\.lock does not exist, so there is nothing to merge; nothing was written\..*build --lock-out/s);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(cwd, "runner-kit.lock"))).toBe(false);
  });

  it("a named fragment that is missing is still an error", async () => {
    const cwd = makeProject({});
    const r = await runInProcess(["lock", "merge", "locks/job-base.lock"], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("lock fragment locks/job-base.lock does not exist");
  });
});
