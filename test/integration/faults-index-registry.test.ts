/**
 * The registry dies (SIGKILL) during a multi-platform push. Restarted with its storage and
 * port while runner-kit waits to retry: the index push completes and the tag moves. Killed
 * just as the first tag would move and left down: the push fails after the retry budget
 * naming the registry, and once the registry is back the new index is there by digest
 * while every tag still points where it did.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { RunnerKitError } from "../../src/common/errors.js";
import { newRunId, runLabels } from "../../src/engine/labels.js";
import { pushImageIndex, type IndexTarget } from "../../src/push/image-index.js";
import { indexDocument, OCI_INDEX, type PlatformImage } from "../../src/push/index-document.js";
import { pushImageByDigest } from "../../src/push/push-by-digest.js";
import { RegistryClient, type FetchLike } from "../../src/push/registry-api.js";
import { ensureArm64Image } from "../support/arm64.js";
import { docker } from "../support/docker.js";
import { freePort } from "../support/free-port.js";
import { expectNoLeaks } from "../support/leaks.js";
import { killRegistry, registryFetch, restartRegistry, startRegistry, stopRegistry, type TestRegistry } from "../support/registry.js";

describe("registry killed during an image index push", () => {
  const fixtures = inject("fixtures");
  const runId = newRunId();
  const volume = `rk-faults-index-${runId}`;
  const path = `rk-${runId}/multi`;
  let registry: TestRegistry;
  let amd64: PlatformImage;
  let arm64: PlatformImage;

  const target = (fetchFn?: FetchLike): IndexTarget => ({
    domain: registry.host,
    path,
    client: new RegistryClient({ domain: registry.host, insecure: true, username: registry.username, password: registry.password }, fetchFn),
  });
  const tagDigest = async (tag: string) =>
    (await registryFetch(registry, `/v2/${path}/manifests/${tag}`, { method: "HEAD", headers: { Accept: OCI_INDEX } })).headers.get("docker-content-digest");

  beforeAll(async () => {
    const d = await docker();
    const arm64Image = await ensureArm64Image(d);
    await d.createVolume({ Name: volume, Labels: runLabels(runId) });
    registry = await startRegistry(d, fixtures.registry, runId, { hostPort: await freePort(), volume });
    amd64 = await pushImageByDigest(d, "busybox:latest", target());
    arm64 = await pushImageByDigest(d, arm64Image, target());
    // Where the tag stands before the faults: an index of the amd64 image alone.
    await pushImageIndex(target(), ["v1"], [amd64]);
  });

  afterAll(async () => {
    const d = await docker();
    if (registry) await stopRegistry(d, registry);
    await d.getVolume(volume).remove().catch(() => {});
    await expectNoLeaks(runId);
  });

  it("retries while the registry is down and completes once it is back", async () => {
    const d = await docker();
    await killRegistry(d, registry);
    const retries: string[] = [];
    const result = await pushImageIndex(target(), ["v1"], [amd64, arm64], {
      backoffMs: 10,
      onRetry: (r) => retries.push(r.error),
      sleep: async () => {
        if (retries.length === 1) await restartRegistry(d, registry);
      },
    });
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect(retries[0]).toContain(`cannot reach the registry ${registry.host}`);
    expect(result.digest).toBe(indexDocument([amd64, arm64]).digest);
    expect(await tagDigest("v1")).toBe(result.digest);
  });

  it("leaves every tag where it was when the registry dies as the first tag would move", async () => {
    const d = await docker();
    const before = await tagDigest("v1");
    const next = indexDocument([arm64, amd64]);
    let killed = false;
    const killAtFirstTag: FetchLike = async (url, init) => {
      if (!killed && init?.method === "PUT" && url.endsWith(`/${path}/manifests/v1`)) {
        killed = true;
        await killRegistry(d, registry);
      }
      return fetch(url, init);
    };
    const error = await pushImageIndex(target(killAtFirstTag), ["v1", "v2"], [arm64, amd64], { attempts: 3, backoffMs: 10 }).catch((e: unknown) => e);
    expect(killed).toBe(true);
    expect(error).toBeInstanceOf(RunnerKitError);
    expect((error as RunnerKitError).exitCode).toBe(1);
    const text = (error as RunnerKitError).toParagraph();
    expect(text).toContain(`${registry.host}/${path}: moving the tag v1 to the image index ${next.digest} failed: cannot reach the registry ${registry.host}`);
    expect(text).toContain("No tag was moved");
    expect(text).not.toContain(registry.password);

    await restartRegistry(d, registry);
    expect(await tagDigest("v1")).toBe(before);
    expect(await tagDigest("v2")).toBeNull();
    expect(await tagDigest(next.digest)).toBe(next.digest);
  });
});
