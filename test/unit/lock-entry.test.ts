import { describe, expect, it } from "vitest";
import { lockEntry, lockUpdates, pinOf } from "../../src/lock/entry.js";
import type { LockFile } from "../../src/lock/lockfile.js";

const D = (c: string) => `sha256:${c.repeat(64)}`;

describe("lock entries (the lock room makes them)", () => {
  it("pins by registry digest, else by local image id", () => {
    expect(pinOf({ digest: D("d"), imageId: D("i") })).toBe(D("d"));
    expect(pinOf({ imageId: D("i") })).toBe(D("i"));
    expect(pinOf({})).toBeUndefined();
  });

  it("keeps the last pushed digest for a local build of unchanged content, not of changed content or a moved repository", () => {
    const previous = { repository: "r/x", tags: ["v1"], contentHash: "h1", baseImages: {}, digest: D("p") };
    const built = { id: "x", repository: "r/x", tags: ["v1"], contentHash: "h1", baseImages: { "debian:bookworm": D("b") }, imageId: D("i") };
    expect(lockEntry(built, previous)).toEqual({ repository: "r/x", tags: ["v1"], contentHash: "h1", baseImages: { "debian:bookworm": D("b") }, imageId: D("i"), digest: D("p") });
    expect(lockEntry({ ...built, contentHash: "h2" }, previous).digest).toBeUndefined();
    expect(lockEntry({ ...built, repository: "r/y" }, previous).digest).toBeUndefined();
    expect(lockEntry({ ...built, digest: D("n") }, previous).digest).toBe(D("n"));
  });

  it("pins a project base the way its own entry is pinned, so a local rebuild of a dependent does not churn the lock", () => {
    const previous: LockFile = { version: 1, variants: { base: { repository: "r/base", tags: ["v1"], contentHash: "hb", baseImages: {}, digest: D("p") } } };
    const updates = lockUpdates(
      [
        { id: "base", repository: "r/base", tags: ["v1"], contentHash: "hb", baseImages: {}, imageId: D("b") },
        { id: "app", repository: "r/app", tags: ["v1"], contentHash: "ha", baseImages: { "r/base": D("b") }, imageId: D("a") },
      ],
      new Map([["app", ["base"]]]),
      previous,
    );
    expect(updates.base!.digest).toBe(D("p"));
    expect(updates.app!.baseImages).toEqual({ "r/base": D("p") });
  });
});
