import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { RunnerKitError } from "../../src/common/errors.js";
import { newRunId, MANAGED_LABEL, RUN_LABEL } from "../../src/engine/labels.js";
import { readProgress } from "../../src/engine/progress.js";
import { pushImageIndex, type IndexTarget } from "../../src/push/image-index.js";
import { indexDocument, OCI_INDEX, OCI_MANIFEST, type PlatformImage } from "../../src/push/index-document.js";
import { platformsOf, requireBasePlatforms } from "../../src/push/platforms-of.js";
import { pushImageByDigest } from "../../src/push/push-by-digest.js";
import { RegistryClient, RegistryHttpError } from "../../src/push/registry-api.js";
import { parsePlatform } from "../../src/reference/platform.js";
import { ensureArm64Image } from "../support/arm64.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { registryFetch, type TestRegistry } from "../support/registry.js";

const ACCEPT = { Accept: [OCI_INDEX, OCI_MANIFEST, "application/vnd.docker.distribution.manifest.v2+json"].join(", ") };

function targetFor(registry: TestRegistry, path: string, password = registry.password): IndexTarget {
  const client = new RegistryClient({ domain: registry.host, insecure: true, username: registry.username, password });
  return { domain: registry.host, path, client };
}

async function tagsOf(registry: TestRegistry, path: string): Promise<string[]> {
  const res = await registryFetch(registry, `/v2/${path}/tags/list`);
  if (res.status === 404) return [];
  return (((await res.json()) as { tags: string[] | null }).tags ?? []).sort();
}

async function manifest(registry: TestRegistry, path: string, reference: string): Promise<{ status: number; type: string | null; digest: string | null; text: string }> {
  const res = await registryFetch(registry, `/v2/${path}/manifests/${reference}`, { headers: ACCEPT });
  return { status: res.status, type: res.headers.get("content-type"), digest: res.headers.get("docker-content-digest"), text: await res.text() };
}

/**
 * Issue 14, the registry half: per-platform images pushed by digest (no tags), an OCI
 * index over them, tags moved only once everything is in — against the real registry,
 * and the arm64 image pulled back by platform and run under emulation.
 */
describe("multi-platform image index", () => {
  const registry = inject("registry");
  const runId = newRunId();
  const path = `multi/idx-${runId}`;
  const repo = `${registry.host}/${path}`;
  const fast = { backoffMs: 10 };
  let arm64Image: string;
  let amd64: PlatformImage;
  let arm64: PlatformImage;

  beforeAll(async () => {
    arm64Image = await ensureArm64Image(await docker());
  });

  afterAll(async () => {
    await (await docker()).getImage(`${repo}:v1`).remove({ force: true }).catch(() => {});
  });

  it("pushes each platform's image by digest and leaves no tag behind", async () => {
    const d = await docker();
    const target = targetFor(registry, path);
    amd64 = await pushImageByDigest(d, "busybox:latest", target, fast);
    arm64 = await pushImageByDigest(d, arm64Image, target, fast);
    expect(amd64.platform).toEqual({ os: "linux", architecture: "amd64" });
    expect(arm64.platform).toEqual({ os: "linux", architecture: "arm64" });
    for (const image of [amd64, arm64]) {
      const stored = await manifest(registry, path, image.digest);
      expect(stored.status).toBe(200);
      expect(stored.digest).toBe(image.digest);
      expect(Buffer.byteLength(stored.text)).toBe(image.size);
      const config = (JSON.parse(stored.text) as { config: { digest: string } }).config;
      // The config is the daemon's own: its digest is the local image ID.
      const local = await d.getImage(image === amd64 ? "busybox:latest" : arm64Image).inspect();
      expect(config.digest).toBe(local.Id);
    }
    expect(await tagsOf(registry, path)).toEqual([]);
    // Pushing again uploads nothing new and gives the same digest.
    expect((await pushImageByDigest(d, arm64Image, target, fast)).digest).toBe(arm64.digest);
  });

  it("assembles the OCI index, moves every tag to it, and `docker pull --platform linux/arm64` runs aarch64", async () => {
    const d = await docker();
    const result = await pushImageIndex(targetFor(registry, path), ["v1", "latest"], [amd64, arm64], fast);

    for (const tag of ["v1", "latest", result.digest]) {
      const stored = await manifest(registry, path, tag);
      expect(stored.status).toBe(200);
      expect(stored.type).toBe(OCI_INDEX);
      expect(stored.digest).toBe(result.digest);
      const index = JSON.parse(stored.text) as { mediaType: string; manifests: unknown[] };
      expect(index.mediaType).toBe(OCI_INDEX);
      expect(index.manifests).toEqual([
        { mediaType: OCI_MANIFEST, digest: amd64.digest, size: amd64.size, platform: { architecture: "amd64", os: "linux" } },
        { mediaType: OCI_MANIFEST, digest: arm64.digest, size: arm64.size, platform: { architecture: "arm64", os: "linux" } },
      ]);
    }
    // Each entry's config says the architecture its platform claims.
    for (const image of [amd64, arm64]) {
      const child = JSON.parse((await manifest(registry, path, image.digest)).text) as { config: { digest: string } };
      const config = (await (await registryFetch(registry, `/v2/${path}/blobs/${child.config.digest}`)).json()) as { architecture: string; os: string };
      expect({ os: config.os, architecture: config.architecture }).toEqual(image.platform);
    }
    expect(await tagsOf(registry, path)).toEqual(["latest", "v1"]);

    const authconfig = { username: registry.username, password: registry.password, serveraddress: registry.host };
    await readProgress(await d.pull(`${repo}:v1`, { authconfig, platform: "linux/arm64" }));
    expect((await d.getImage(`${repo}:v1`).inspect()).Architecture).toBe("arm64");
    const run = await execa("docker", ["run", "--rm", "--platform", "linux/arm64", "--network", "none", "--label", `${MANAGED_LABEL}=true`, "--label", `${RUN_LABEL}=${runId}`, `${repo}:v1`, "uname", "-m"], { reject: false, all: true });
    expect(run.all).toBe("aarch64");
    expect(run.exitCode).toBe(0);

    // platformsOf reads both platforms from the registry, and the early check names what is there.
    const found = await platformsOf(`${repo}:v1`, { docker: d, registryClient: async () => targetFor(registry, path).client });
    expect(found).toEqual({ source: "registry", platforms: [{ os: "linux", architecture: "amd64" }, { os: "linux", architecture: "arm64" }] });
    expect(() => requireBasePlatforms(`${repo}:v1`, [parsePlatform("linux/arm64/v8")], found!)).not.toThrow();
    // One platform's manifest on its own: the platform comes from its config.
    expect(await platformsOf(`${repo}@${arm64.digest}`, { docker: d, registryClient: async () => targetFor(registry, path).client })).toEqual({
      source: "registry",
      platforms: [{ os: "linux", architecture: "arm64" }],
    });
    expect(() => requireBasePlatforms(`${repo}:v1`, [parsePlatform("arm")], found!)).toThrow(
      `has no manifest for linux/arm/v7 (it has: linux/amd64, linux/arm64, in its registry)`,
    );
    await expectNoLeaks(runId);
  });

  it("reads a local image's platform from the daemon when no registry has it", async () => {
    const d = await docker();
    const unreachable = async () => {
      throw new Error("no registry here");
    };
    expect(await platformsOf(arm64Image, { docker: d, registryClient: unreachable })).toEqual({ source: "daemon", platforms: [{ os: "linux", architecture: "arm64" }] });
    const found = await platformsOf("busybox:latest", { docker: d, registryClient: unreachable });
    expect(() => requireBasePlatforms("busybox:latest", [parsePlatform("linux/arm64")], found!)).toThrow(/busybox:latest has no manifest for linux\/arm64 \(it has: linux\/amd64, on the daemon/);
    expect(await platformsOf(`${registry.host}/multi/never-${runId}:x`, { docker: d, registryClient: async () => targetFor(registry, "x").client })).toBeUndefined();
  });

  it("refuses an index whose platform manifest is missing before any tag moves", async () => {
    const target = targetFor(registry, path);
    const before = await manifest(registry, path, "v1");
    const ghost: PlatformImage = { ...arm64, digest: `sha256:${"0".repeat(64)}`, platform: { os: "linux", architecture: "arm", variant: "v7" } };
    const error = await pushImageIndex(target, ["v1", "next"], [amd64, ghost], fast).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnerKitError);
    expect((error as RunnerKitError).exitCode).toBe(1);
    expect((error as RunnerKitError).toParagraph()).toContain(`${repo}: the registry ${registry.host} has no manifest in ${path} for linux/arm/v7 (sha256:${"0".repeat(64)})`);
    expect((error as RunnerKitError).toParagraph()).toContain("no tag was moved");
    expect(await tagsOf(registry, path)).toEqual(["latest", "v1"]);
    expect((await manifest(registry, path, "v1")).digest).toBe(before.digest);

    // Without the check first, the registry itself refuses such an index: its own error reaches the message.
    const index = indexDocument([amd64, ghost]);
    const refused = await target.client.putManifest(path, index.digest, OCI_INDEX, index.body).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RegistryHttpError);
    expect((refused as RegistryHttpError).status).toBe(400);
    expect((refused as RegistryHttpError).message).toMatch(new RegExp(`^the registry ${registry.host} refused the manifest ${registry.host}/${path}:${index.digest} with HTTP 400: MANIFEST_BLOB_UNKNOWN`));
    expect(await tagsOf(registry, path)).toEqual(["latest", "v1"]);
  });

  it("names the registry, repository and status when the registry refuses the push", async () => {
    const error = await pushImageIndex(targetFor(registry, path, "wrong-password"), ["v1"], [amd64, arm64], { ...fast, attempts: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnerKitError);
    const text = (error as RunnerKitError).toParagraph();
    expect(text).toContain(`${repo}:`);
    expect(text).toContain(`the registry ${registry.host} refused access`);
    expect(text).toContain("HTTP 401");
    expect(text).not.toContain("wrong-password");
    expect(await tagsOf(registry, path)).toEqual(["latest", "v1"]);
  });
});
