import { describe, expect, it } from "vitest";
import { registrySettings } from "../../src/bake/registry-settings.js";
import { detectExisting } from "../../src/bake/detect.js";
import type { ImageClient } from "../../src/builder/image-client.js";
import { CONTENT_HASH_LABEL } from "../../src/builder/image-labels.js";
import type { BuildDeps, BuildOptions, PreparedVariant } from "../../src/bake/types.js";

const INFO = { RegistryConfig: { InsecureRegistryCIDRs: ["127.0.0.0/8"], IndexConfigs: {} } };

describe("the daemon's registry settings (GET /info) of a build", () => {
  it("are asked only when needed without --push, and once", async () => {
    let asked = 0;
    const settings = registrySettings({ info: async () => (asked++, INFO) }, false);
    settings.prefetch();
    expect(asked).toBe(0);
    expect(await settings.insecureRegistry("127.0.0.1:5000")).toBe(true);
    expect(await settings.insecureRegistry("registry.example.com")).toBe(false);
    expect(asked).toBe(1);
  });

  it("are asked at once after the ping with --push, and that answer is the one used", async () => {
    let asked = 0;
    const settings = registrySettings({ info: async () => (asked++, INFO) }, true);
    settings.prefetch();
    expect(asked).toBe(1);
    expect(await settings.insecureRegistry("127.0.0.1:5000")).toBe(true);
    expect(asked).toBe(1);
  });

  it("report a failed early GET /info where the answer is awaited, never as an unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const settings = registrySettings({ info: () => Promise.reject(new Error("(HTTP code 500) server error - info failed ")) }, true);
      settings.prefetch();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
      await expect(settings.insecureRegistry("127.0.0.1:5000")).rejects.toThrow("info failed");
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

/** One variant, `127.0.0.1:5000/team/app:v1` and `:latest`, content hash sha256:abc. */
const prepared = { variant: { id: "app", repository: "127.0.0.1:5000/team/app", tags: ["v1", "latest"] }, contentHash: "sha256:abc" } as unknown as PreparedVariant;
const options = { push: true, force: false } as BuildOptions;

/** A registry whose answers wait until `release()`; the calls of both sides in one list. */
function world(registryStatus: number | "down") {
  const calls: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const images: ImageClient = {
    inspect: async (ref) => (calls.push(`inspect ${ref}`), ref.endsWith(":v1") ? { id: "sha256:local", labels: { [CONTENT_HASH_LABEL]: "sha256:abc" }, repoDigests: [] } : undefined),
    tag: async (id, repository, tag) => void calls.push(`tag ${repository}:${tag}`),
    listByLabel: async () => [],
    listLabelled: async () => [],
  };
  const deps = {
    resolveAuth: async () => undefined,
    insecureRegistry: async () => true,
    fetch: async (url: string) => {
      calls.push(`registry ${url}`);
      await released;
      if (registryStatus === "down") throw new TypeError("fetch failed");
      return new Response(null, { status: registryStatus });
    },
  } as unknown as BuildDeps;
  return { calls, release, images, deps };
}

describe("a variant's up-to-date check with --push", () => {
  it("sends the local lookup while the registry's answer is awaited, and tags after it", async () => {
    const w = world(404);
    const detection = detectExisting(prepared, w.images, w.deps, options);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(w.calls).toContain("inspect 127.0.0.1:5000/team/app:v1");
    expect(w.calls.some((c) => c.startsWith("tag "))).toBe(false);
    w.release();
    const found = await detection;
    expect(found).toMatchObject({ local: "sha256:local" });
    expect(found.remote).toBeUndefined();
    expect(w.calls.filter((c) => c.startsWith("tag "))).toEqual(["tag 127.0.0.1:5000/team/app:latest"]);
  });

  it("leaves the local tags alone when the registry cannot be reached", async () => {
    const w = world("down");
    const detection = detectExisting(prepared, w.images, w.deps, options);
    w.release();
    const found = await detection;
    expect(String(found.error)).toContain("fetch failed");
    expect(found.local).toBeUndefined();
    expect(w.calls.some((c) => c.startsWith("tag "))).toBe(false);
  });
});
