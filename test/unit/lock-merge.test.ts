import { describe, expect, it } from "vitest";
import { RunnerKitError } from "../../src/common/errors.js";
import type { LockEntry } from "../../src/lock/lockfile.js";
import { mergeLockFragments } from "../../src/lock/merge-fragments.js";

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
