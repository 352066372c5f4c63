import { describe, expect, it } from "vitest";
import { emulationHint } from "../../src/bake/platform-emulation.js";
import { platformBuildArgs, platformTag, platformTargets } from "../../src/bake/platform-targets.js";
import { platformContentHash, platformsContentHash } from "../../src/builder/content-hash.js";
import type { RunnerKitError } from "../../src/common/errors.js";
import { lockEntry } from "../../src/lock/entry.js";
import { summaryTable } from "../../src/bake/summary.js";
import { readLock, staleLockReasons } from "../../src/lock/store.js";
import { loadPlan } from "../../src/project/load.js";
import { platformFlag } from "../../src/project/platforms.js";
import { makeProject } from "../fixtures/project/make-project.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const H = (c: string) => `sha256:${c.repeat(64)}`;

const project = (image: string, team = "") =>
  makeProject({
    "templates/t/Dockerfile.hbs": "FROM debian:bookworm\n",
    "runner-kit.yaml": ["registry: registry.example.com/platform", "templates: templates", "images:", "  app:", "    template: t", image, "teams:", "  data:", "    images: [app]", team, ""].join("\n"),
  });

async function loadError(cwd: string, options: { platforms?: string[] } = {}): Promise<RunnerKitError> {
  try {
    await loadPlan({ cwd, ...options });
  } catch (error) {
    return error as RunnerKitError;
  }
  throw new Error("loadPlan did not fail");
}

describe("platforms: in runner-kit.yaml and --platform", () => {
  it("normalises each platform; a team's list replaces the image's; none means the daemon's platform", async () => {
    const plan = await loadPlan({ cwd: project("    platforms: [linux/amd64, aarch64]", "    platforms: [linux/arm/v7]") });
    expect(plan.variants.map((v) => [v.id, v.platforms])).toEqual([
      ["app", ["linux/amd64", "linux/arm64"]],
      ["data/app", ["linux/arm/v7"]],
    ]);
    const plain = await loadPlan({ cwd: project("") });
    expect(plain.variants.every((v) => v.platforms === undefined)).toBe(true);
  });

  it("--platform (comma lists, repeatable) overrides every variant's list", async () => {
    const plan = await loadPlan({ cwd: project("    platforms: [linux/amd64]"), platforms: ["linux/arm64,linux/amd64", "arm"] });
    expect(plan.variants.map((v) => v.platforms)).toEqual([
      ["linux/arm64", "linux/amd64", "linux/arm/v7"],
      ["linux/arm64", "linux/amd64", "linux/arm/v7"],
    ]);
  });

  it("a bad platform is exit 2 at its line and column, with what to write", async () => {
    const error = await loadError(project("    platforms: [linux/amd64, linux/sparc99]"));
    expect(error.exitCode).toBe(2);
    expect(error.toParagraph()).toMatch(/runner-kit\.yaml:6:30: "linux\/sparc99" is not a platform: "sparc99" is not a known architecture\. Write os\/architecture/);
  });

  it("a platform listed twice (in another spelling) is exit 2 at the second one", async () => {
    const error = await loadError(project("", "    platforms: [linux/arm64, linux/arm64/v8]"));
    expect(error.exitCode).toBe(2);
    expect(error.toParagraph()).toMatch(/runner-kit\.yaml:10:30: the platform linux\/arm64 is listed twice/);
    let flagError: RunnerKitError | undefined;
    try {
      platformFlag(["amd64,x86_64"]);
    } catch (e) {
      flagError = e as RunnerKitError;
    }
    expect(flagError?.toParagraph()).toMatch(/^--platform: the platform linux\/amd64 is listed twice/);
  });

  it("an empty list or a non-string is a schema error with its position", async () => {
    expect((await loadError(project("    platforms: []"))).exitCode).toBe(2);
    expect((await loadError(project("    platforms: [{os: linux}]"))).toParagraph()).toMatch(/runner-kit\.yaml:6/);
  });
});

describe("per-platform content hashes, tags and build args", () => {
  it("each platform has its own hash; the variant's covers the list; both change with their inputs only", () => {
    const a = platformContentHash(H("a"), "linux/amd64");
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(platformContentHash(H("a"), "linux/arm64")).not.toBe(a);
    expect(platformContentHash(H("b"), "linux/amd64")).not.toBe(a);
    expect(platformContentHash(H("a"), "linux/amd64")).toBe(a);
    expect(platformsContentHash(H("a"), ["linux/amd64", "linux/arm64"])).not.toBe(platformsContentHash(H("a"), ["linux/amd64"]));
    expect(platformsContentHash(H("a"), ["linux/amd64", "linux/arm64"])).not.toBe(platformsContentHash(H("a"), ["linux/arm64", "linux/amd64"]));
    // Adding a platform leaves the others' hashes (and so their images) alone.
    expect(platformTargets(H("a"), ["linux/amd64", "linux/arm64"])[0]).toEqual(platformTargets(H("a"), ["linux/amd64"])[0]);
  });

  it("local tags carry the platform; TARGET* args go only where the Dockerfile declares them", () => {
    expect(platformTag("v1", "linux/arm/v7")).toBe("v1-linux-arm-v7");
    expect(platformBuildArgs("linux/arm/v7", ["TARGETARCH", "TARGETVARIANT", "TARGETPLATFORM", "TARGETOS", "OTHER"])).toEqual({
      TARGETPLATFORM: "linux/arm/v7",
      TARGETOS: "linux",
      TARGETARCH: "arm",
      TARGETVARIANT: "v7",
    });
    expect(platformBuildArgs("linux/arm64", ["TARGETARCH"])).toEqual({ TARGETARCH: "arm64" });
    expect(platformBuildArgs("linux/arm64", [])).toEqual({});
  });
});

describe("no emulator for a platform", () => {
  it("an exec format error names the platform, the binfmt entry and what to install", () => {
    const hint = emulationHint("linux/arm64", { error: "The command '/bin/sh -c uname -m' returned a non-zero code: 1", tail: ["standard_init_linux.go:228: exec user process caused: exec format error"] });
    expect(hint).toContain("cannot run linux/arm64 programs");
    expect(hint).toContain("qemu-aarch64");
    expect(hint).toContain("apt-get install qemu-user-static binfmt-support");
    expect(emulationHint("linux/arm64", { error: "exit code 1", tail: ["make: *** [all] Error 2"] })).toBeUndefined();
  });
});

describe("the lock per platform", () => {
  const built = {
    id: "app",
    repository: "r/app",
    tags: ["v1"],
    contentHash: "h",
    baseImages: {},
    digest: H("i"),
    platforms: { "linux/amd64": { contentHash: "ha", imageId: H("1"), digest: H("a") }, "linux/arm64": { contentHash: "hb", imageId: H("2"), digest: H("b") } },
  };

  it("records the index digest and each platform's image; a local rebuild of unchanged content keeps the pushed digests", () => {
    const pushed = lockEntry(built, undefined);
    expect(pushed).toEqual({ repository: "r/app", tags: ["v1"], contentHash: "h", baseImages: {}, digest: H("i"), platforms: built.platforms });
    const local = lockEntry({ ...built, digest: undefined, platforms: { "linux/amd64": { contentHash: "ha", imageId: H("1") }, "linux/arm64": { contentHash: "hb", imageId: H("2") } } }, pushed);
    expect(local.digest).toBe(H("i"));
    expect(local.platforms!["linux/arm64"]!.digest).toBe(H("b"));
  });

  it("--locked checks each platform's content hash", () => {
    const lock = { version: 1 as const, variants: { app: lockEntry(built, undefined) } };
    const want = { repository: "r/app", tags: ["v1"], contentHash: "h" };
    expect(staleLockReasons(lock, { app: { ...want, platforms: { "linux/amd64": "ha", "linux/arm64": "hb" } } })).toEqual([]);
    expect(staleLockReasons(lock, { app: { ...want, platforms: { "linux/amd64": "ha", "linux/arm64": "hc" } } })).toEqual(["app linux/arm64 changed (content hash hb… → hc…)"]);
    expect(staleLockReasons(lock, { app: { ...want, platforms: { "linux/arm/v7": "hv" } } })).toEqual(["app has no linux/arm/v7 entry"]);
  });

  it("reads a lock written before platforms existed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rk-lock-"));
    writeFileSync(join(dir, "runner-kit.lock"), JSON.stringify({ version: 1, variants: { app: { repository: "r/app", tags: ["v1"], contentHash: "h", baseImages: {}, digest: H("d") } } }));
    const lock = await readLock(join(dir, "runner-kit.lock"));
    expect(lock!.variants.app!.platforms).toBeUndefined();
    expect(staleLockReasons(lock, { app: { repository: "r/app", tags: ["v1"], contentHash: "h" } })).toEqual([]);
  });
});

describe("the summary of a multi-platform image", () => {
  it("lists its platforms beside the tags and shows the index digest", () => {
    const table = summaryTable([
      { id: "app", repository: "r/app", tags: ["v1"], status: "built", durationMs: 1200, pushed: true, baseImages: {}, digest: H("i"), platforms: { "linux/amd64": { contentHash: "a" }, "linux/arm64": { contentHash: "b" } } },
      { id: "solo", repository: "r/solo", tags: ["v1"], status: "built", durationMs: 800, pushed: false, baseImages: {}, imageId: H("s") },
    ]);
    expect(table).toContain("r/app   v1 (linux/amd64, linux/arm64)  built   1.2 s     sha256:iiiiiiiiiiii…");
    expect(table).toMatch(/r\/solo {2}v1 +built/);
  });
});
