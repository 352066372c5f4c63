import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import type { LockFile } from "../../src/lock/lockfile.js";
import { pushImageIndex, type IndexTarget } from "../../src/push/image-index.js";
import { OCI_INDEX, OCI_MANIFEST } from "../../src/push/index-document.js";
import { pushImageByDigest } from "../../src/push/push-by-digest.js";
import { RegistryClient } from "../../src/push/registry-api.js";
import { ensureArm64Image } from "../support/arm64.js";
import { runInProject } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { ensureBaseImage } from "../support/images.js";
import { expectNoLeaks } from "../support/leaks.js";
import { writeProjectFiles } from "../support/project-files.js";
import { dockerAuthConfigFor, registryFetch } from "../support/registry.js";

/**
 * Issue 14's parallel pipeline, run as its generated jobs run: one `build --push-platform P`
 * per platform (pushed by digest, no tag, a lock fragment each), then `build --push-index`
 * (index from the fragments, checked in the registry, tags moved last), then `lock merge`.
 * The tiny two-platform fixture of build-platforms.test.ts; arm64 under emulation.
 */
describe("multi-platform images in parallel jobs: --push-platform, then --push-index", () => {
  const registry = inject("registry");
  const runId = newRunId();
  const prefix = `platjobs-${runId}`;
  const base = `${registry.host}/${prefix}/base:multi`;
  const appPath = `${prefix}/app`;
  let dir: string;
  const run = (argv: string[]) => runInProject(dir, runId, argv, { DOCKER_AUTH_CONFIG: dockerAuthConfigFor(registry) });
  const read = (file: string) => JSON.parse(readFileSync(join(dir, file), "utf8")) as LockFile;
  const tags = async (): Promise<string[]> => {
    const res = await registryFetch(registry, `/v2/${appPath}/tags/list`);
    return res.status === 200 ? (((await res.json()) as { tags: string[] | null }).tags ?? []).sort() : [];
  };

  beforeAll(async () => {
    const d = await docker();
    await ensureBaseImage(d, "busybox:latest");
    const arm64 = await ensureArm64Image(d);
    const client = new RegistryClient({ domain: registry.host, insecure: true, username: registry.username, password: registry.password });
    const target: IndexTarget = { domain: registry.host, path: `${prefix}/base`, client };
    await pushImageIndex(target, ["multi"], [await pushImageByDigest(d, "busybox:latest", target), await pushImageByDigest(d, arm64, target)]);
    dir = mkdtempSync(join(tmpdir(), "rk-platjobs-"));
    writeProjectFiles(dir, {
      "runner-kit.yaml": [`registry: ${registry.host}/${prefix}`, "templates: templates", "images:", "  app:", "    template: app", "    tags: [v1, latest]", "    platforms: [linux/amd64, linux/arm64]", ""].join("\n"),
      "templates/app/Dockerfile.hbs": `FROM ${base}\nARG TARGETPLATFORM\nRUN echo "$TARGETPLATFORM" > /target\n`,
    });
  });

  afterAll(async () => {
    const d = await docker();
    for (const tag of ["v1-linux-amd64", "latest-linux-amd64", "v1-linux-arm64", "latest-linux-arm64"]) await d.getImage(`${registry.host}/${appPath}:${tag}`).remove({ force: true }).catch(() => {});
    await d.getImage(base).remove({ force: true }).catch(() => {});
    for (const image of await d.listImages({ digests: true })) {
      for (const ref of image.RepoDigests ?? []) if (ref.startsWith(`${registry.host}/${prefix}/`)) await d.getImage(ref).remove().catch(() => {});
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("each platform job pushes its image by digest and moves no tag; the index job refuses while one is missing", async () => {
    const amd64 = await run(["build", "app", "--push-platform", "linux/amd64", "--lock-out", "locks/app/linux-amd64.lock", "--json"]);
    expect(amd64.code, amd64.stderr).toBe(0);
    // A platform job run alone leaves no tag in the registry.
    expect(await tags()).toEqual([]);
    // Its dry run: the arm64 image would be built and pushed by digest, no tag moved.
    const dry = await run(["build", "app", "--push-platform", "linux/arm64", "--lock-out", "dry.lock", "--dry-run", "--json"]);
    expect((JSON.parse(dry.stdout) as { images: unknown[] }).images[0]).toMatchObject({ action: "build", push: false, reason: expect.stringContaining("pushed by digest, no tag moved") });
    const fragment = read("locks/app/linux-amd64.lock").variants.app!;
    expect(fragment.digest).toBeUndefined();
    expect(Object.keys(fragment.platforms!)).toEqual(["linux/amd64"]);
    expect(fragment.platforms!["linux/amd64"]!.digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    // The index job before the arm64 job: the variant fails naming the missing platform; no tag moves.
    const early = await run(["build", "app", "--push-index", "locks/app", "--lock-out", "locks/app.lock", "--json"]);
    expect(early.code).toBe(1);
    const failed = (JSON.parse(early.stdout) as { images: { status: string; error: string }[] }).images[0]!;
    expect(failed.error).toContain("no lock fragment in locks/app records a pushed linux/arm64 image of app");
    expect(await tags()).toEqual([]);

    const arm64 = await run(["build", "app", "--push-platform", "linux/arm64", "--lock-out", "locks/app/linux-arm64.lock"]);
    expect(arm64.code, arm64.stderr).toBe(0);
    expect(await tags()).toEqual([]);
  });

  it("the index job pushes the OCI index over both platform images, then moves every tag; lock merge makes one entry", async () => {
    const r = await run(["build", "app", "--push-index", "locks/app", "--lock-out", "locks/app.lock", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const doc = (JSON.parse(r.stdout) as { images: { status: string; digest: string; pushed: boolean }[] }).images[0]!;
    expect(doc).toMatchObject({ status: "built", pushed: true });
    const amd64 = read("locks/app/linux-amd64.lock").variants.app!.platforms!["linux/amd64"]!;
    const arm64 = read("locks/app/linux-arm64.lock").variants.app!.platforms!["linux/arm64"]!;

    const accept = { headers: { Accept: [OCI_INDEX, OCI_MANIFEST].join(", ") } };
    const res = await registryFetch(registry, `/v2/${appPath}/manifests/latest`, accept);
    expect(res.headers.get("content-type")).toBe(OCI_INDEX);
    expect(res.headers.get("docker-content-digest")).toBe(doc.digest);
    const index = (await res.json()) as { manifests: { digest: string; platform: { architecture: string } }[] };
    expect(index.manifests.map((m) => [m.platform.architecture, m.digest])).toEqual([["amd64", amd64.digest], ["arm64", arm64.digest]]);
    // Only the variant's own tags: none for the platform images.
    expect(await tags()).toEqual(["latest", "v1"]);

    const entry = read("locks/app.lock").variants.app!;
    expect(entry.digest).toBe(doc.digest);
    expect(entry.platforms).toEqual({ "linux/amd64": amd64, "linux/arm64": arm64 });

    const merged = await run(["lock", "merge", "locks/app/linux-amd64.lock", "locks/app/linux-arm64.lock", "locks/app.lock", "--out", "runner-kit.lock"]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(read("runner-kit.lock").variants.app).toMatchObject({ digest: doc.digest, platforms: { "linux/amd64": amd64, "linux/arm64": arm64 } });
    await expectNoLeaks(runId);
  });

  it("a re-run is up to date: each platform job finds its image in the index, the index job finds the tags on it; --locked per platform", async () => {
    const job = await run(["build", "app", "--push-platform", "linux/arm64", "--locked", "--lock-out", "again/linux-arm64.lock", "--json"]);
    expect(job.code, job.stderr).toBe(0);
    expect((JSON.parse(job.stdout) as { images: { status: string }[] }).images[0]!.status).toBe("up-to-date");
    expect(read("again/linux-arm64.lock").variants.app!.platforms).toEqual({ "linux/arm64": read("runner-kit.lock").variants.app!.platforms!["linux/arm64"] });
    const index = await run(["build", "app", "--push-index", "locks/app", "--locked", "--lock-out", "again/app.lock", "--json"]);
    expect(index.code, index.stderr).toBe(0);
    expect((JSON.parse(index.stdout) as { images: { status: string }[] }).images[0]!.status).toBe("up-to-date");
    expect(read("again/app.lock").variants.app!.digest).toBe(read("runner-kit.lock").variants.app!.digest);
    // --dry-run says the same, and that no tag would move.
    for (const argv of [["--push-platform", "linux/arm64", "--lock-out", "dry.lock"], ["--push-index", "locks/app"]]) {
      const dry = await run(["build", "app", ...argv, "--dry-run", "--json"]);
      expect(dry.code, dry.stderr).toBe(0);
      expect((JSON.parse(dry.stdout) as { images: { action: string; push: boolean; reason: string }[] }).images[0]).toMatchObject({ action: "up-to-date", push: false, reason: expect.stringContaining("every tag in the registry points at an index") });
    }
  });

  it("the index job checks each fragment against the checkout and the registry: a wrong image or stale content fails it, and no tag moves", async () => {
    const before = (await registryFetch(registry, `/v2/${appPath}/manifests/v1`, { method: "HEAD", headers: { Accept: OCI_INDEX } })).headers.get("docker-content-digest");
    expect(before).toBe(read("runner-kit.lock").variants.app!.digest);
    const amd64 = read("locks/app/linux-amd64.lock");
    const arm64 = read("locks/app/linux-arm64.lock");
    // The arm64 fragment names the amd64 image: in the registry, but not the arm64 content.
    const wrong = structuredClone(arm64);
    wrong.variants.app!.platforms!["linux/arm64"]!.digest = amd64.variants.app!.platforms!["linux/amd64"]!.digest;
    // A fragment from other content (another commit's build).
    const stale = structuredClone(arm64);
    stale.variants.app!.platforms!["linux/arm64"]!.contentHash = `sha256:${"0".repeat(64)}`;
    const cases: [LockFile, string][] = [
      [wrong, "does not carry the linux/arm64 content hash of app"],
      [stale, "the linux/arm64 image of app in bad was built from other content"],
    ];
    for (const [fragment, said] of cases) {
      writeProjectFiles(dir, { "bad/linux-amd64.lock": JSON.stringify(amd64), "bad/linux-arm64.lock": JSON.stringify(fragment) });
      // --force: past the up-to-date check (the tags already point at the right index).
      const r = await run(["build", "app", "--push-index", "bad", "--force", "--lock-out", "bad.lock", "--json"]);
      expect(r.code).toBe(1);
      expect((JSON.parse(r.stdout) as { images: { error: string }[] }).images[0]!.error).toContain(said);
      expect((await registryFetch(registry, `/v2/${appPath}/manifests/v1`, { method: "HEAD", headers: { Accept: OCI_INDEX } })).headers.get("docker-content-digest")).toBe(before);
    }
  });

  it("usage: --push-platform needs --lock-out and one of the image's platforms; --push-index needs fragments (exit 2)", async () => {
    const noOut = await run(["build", "app", "--push-platform", "linux/arm64"]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain("--push-platform writes one platform's lock entry, so it needs --lock-out FILE");
    const other = await run(["build", "app", "--push-platform", "linux/s390x", "--lock-out", "x.lock"]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("app is not built for linux/s390x (its platforms: linux/amd64, linux/arm64)");
    const none = await run(["build", "app", "--push-index", "nowhere"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--push-index nowhere: no such folder");
    expect(none.stderr).not.toMatch(/\n\s+at /);
  });
});
