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

describe("mergeLockFragments: per-platform fragments of one variant", () => {
  const hash = `sha256:${"c".repeat(64)}`;
  const platformEntry = (platform: string, digest: string, extra: Partial<LockEntry> = {}): LockEntry => ({
    repository: "r/app",
    tags: ["v1", "latest"],
    contentHash: hash,
    baseImages: { "r/base": `sha256:${platform.length}` },
    platforms: { [platform]: { contentHash: `sha256:${platform}`, imageId: `sha256:id-${platform}`, digest } },
    ...extra,
  });
  const frag = (name: string, entry: LockEntry) => ({ name, lock: { version: 1 as const, variants: { app: entry } } });

  it("merges each platform's fragment into one entry, over the committed one, with the index job's digest", () => {
    const committed = { version: 1 as const, variants: { app: { ...platformEntry("linux/amd64", "sha256:old"), digest: "sha256:old-index" } } };
    const merged = mergeLockFragments(
      [frag("locks/app/linux-arm64.lock", platformEntry("linux/arm64", "sha256:a")), frag("locks/app/linux-amd64.lock", platformEntry("linux/amd64", "sha256:b")), frag("locks/app.lock", { ...platformEntry("linux/amd64", "sha256:b"), digest: "sha256:index" })],
      committed,
    );
    const app = merged.variants.app!;
    expect(app.digest).toBe("sha256:index");
    expect(Object.keys(app.platforms!)).toEqual(["linux/amd64", "linux/arm64"]);
    expect(app.platforms!["linux/arm64"]!.digest).toBe("sha256:a");
    expect(app.platforms!["linux/amd64"]!.digest).toBe("sha256:b");
    // The first fragment's base pin (sorted by name): locks/app.lock.
    expect(app.baseImages["r/base"]).toBe("sha256:11");
  });

  it("refuses fragments that disagree: one platform twice with other digests, other content, two index digests", () => {
    const a = frag("a.lock", platformEntry("linux/arm64", "sha256:a"));
    expect(() => mergeLockFragments([a, frag("b.lock", platformEntry("linux/arm64", "sha256:z"))])).toThrow("lock fragments a.lock and b.lock disagree about variant app");
    expect(() => mergeLockFragments([a, frag("b.lock", platformEntry("linux/amd64", "sha256:b", { contentHash: `sha256:${"d".repeat(64)}` }))])).toThrow(RunnerKitError);
    expect(() => mergeLockFragments([frag("a.lock", platformEntry("linux/arm64", "sha256:a", { digest: "sha256:i1" })), frag("b.lock", platformEntry("linux/amd64", "sha256:b", { digest: "sha256:i2" }))])).toThrow(/disagree/);
    // A single-platform entry never merges field by field.
    expect(() => mergeLockFragments([frag("a.lock", { ...entry("r/app", "sha256:1") }), frag("b.lock", { ...entry("r/app", "sha256:1"), imageId: "sha256:x" })])).toThrow(/disagree/);
  });
});
