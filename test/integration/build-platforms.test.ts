import { execa } from "execa";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { MANAGED_LABEL, newRunId, RUN_LABEL } from "../../src/engine/labels.js";
import { readProgress } from "../../src/engine/progress.js";
import type { LockFile } from "../../src/lock/lockfile.js";
import { pushImageIndex, type IndexTarget } from "../../src/push/image-index.js";
import { OCI_INDEX, OCI_MANIFEST } from "../../src/push/index-document.js";
import { pushImageByDigest } from "../../src/push/push-by-digest.js";
import { RegistryClient } from "../../src/push/registry-api.js";
import { ensureArm64Image } from "../support/arm64.js";
import { loadUnrunnableImage } from "../support/foreign-stub.js";
import { runInProject } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { ensureBaseImage } from "../support/images.js";
import { expectNoLeaks } from "../support/leaks.js";
import { writeProjectFiles } from "../support/project-files.js";
import { dockerAuthConfigFor, registryFetch, type TestRegistry } from "../support/registry.js";

const ACCEPT = { Accept: [OCI_INDEX, OCI_MANIFEST, "application/vnd.docker.distribution.manifest.v2+json"].join(", ") };

async function manifestOf(registry: TestRegistry, path: string, reference: string): Promise<{ type: string | null; digest: string | null; json: Record<string, unknown> }> {
  const res = await registryFetch(registry, `/v2/${path}/manifests/${reference}`, { headers: ACCEPT });
  expect(res.status).toBe(200);
  return { type: res.headers.get("content-type"), digest: res.headers.get("docker-content-digest"), json: (await res.json()) as Record<string, unknown> };
}

async function configOf(registry: TestRegistry, path: string, digest: string): Promise<{ architecture: string; os: string; config: { Labels: Record<string, string> } }> {
  const child = (await manifestOf(registry, path, digest)).json as { config: { digest: string } };
  return (await (await registryFetch(registry, `/v2/${path}/blobs/${child.config.digest}`)).json()) as { architecture: string; os: string; config: { Labels: Record<string, string> } };
}

/**
 * Issue 14 end to end through `runner-kit build`: a variant with `platforms:` built for
 * linux/amd64 and (emulated) linux/arm64 FROM a two-platform base in the authenticated
 * registry, pushed by digest under one OCI index, locked per platform, pinned by the
 * index in config.toml, and up to date on the next run. With both builders.
 */
describe.each(["buildkit", "classic"] as const)("runner-kit build --platform (%s)", (builder) => {
  const registry = inject("registry");
  const runId = newRunId();
  const prefix = `plat-${builder}-${runId}`;
  const base = `${registry.host}/${prefix}/base:multi`;
  const appPath = `${prefix}/app`;
  const stub = `runner-kit-test/unrunnable-s390x:${runId}`;
  let dir: string;
  const run = (argv: string[]) => runInProject(dir, runId, argv[0] === "build" ? [...argv, "--builder", builder] : argv, { DOCKER_AUTH_CONFIG: dockerAuthConfigFor(registry) });
  const lock = () => JSON.parse(readFileSync(join(dir, "runner-kit.lock"), "utf8")) as LockFile;

  beforeAll(async () => {
    const d = await docker();
    await ensureBaseImage(d, "busybox:latest");
    const arm64 = await ensureArm64Image(d);
    await loadUnrunnableImage(stub, "s390x");
    // The two-platform base, as a registry publishes one: both images by digest, one index.
    const client = new RegistryClient({ domain: registry.host, insecure: true, username: registry.username, password: registry.password });
    const target: IndexTarget = { domain: registry.host, path: `${prefix}/base`, client };
    const images = [await pushImageByDigest(d, "busybox:latest", target), await pushImageByDigest(d, arm64, target)];
    await pushImageIndex(target, ["multi"], images);
    dir = mkdtempSync(join(tmpdir(), "rk-platforms-"));
    writeProjectFiles(dir, {
      "runner-kit.yaml": [
        `registry: ${registry.host}/${prefix}`,
        "templates: templates",
        "images:",
        "  app:",
        "    template: app",
        "    tags: [v1, latest]",
        "    platforms: [linux/amd64, linux/arm64/v8]",
        "    smoke: smoke.gitlab-ci.yml",
        "  picky:",
        "    template: picky",
        "    tags: [v1]",
        "    platforms: [linux/amd64, linux/arm64]",
        "  foreign:",
        "    template: foreign",
        "    tags: [v1]",
        "    platforms: [linux/s390x]",
        "  solo:",
        "    template: solo",
        "    tags: [v1]",
        "runner:",
        "  url: https://gitlab.example.com",
        "  image: app",
        "",
      ].join("\n"),
      "smoke.gitlab-ci.yml": "check:\n  image: busybox:latest\n  script:\n    - echo \"machine $(uname -m) built for $(cat /target)\"\n",
      "templates/app/Dockerfile.hbs": `FROM ${base}\nARG TARGETARCH\nARG TARGETPLATFORM\nRUN echo "$TARGETPLATFORM $TARGETARCH" > /target && uname -m > /built-on\n`,
      // Fails on arm64 only: the amd64 image builds, nothing may be pushed.
      "templates/picky/Dockerfile.hbs": `FROM ${base}\nRUN [ "$(uname -m)" != aarch64 ] || { echo "no arm64 here" >&2; exit 3; }\n`,
      "templates/foreign/Dockerfile.hbs": `FROM ${stub}\nRUN true\n`,
      "templates/solo/Dockerfile.hbs": `FROM ${arm64}\nRUN uname -m > /built-on\n`,
    });
  });

  afterAll(async () => {
    const d = await docker();
    for (const tag of ["v1", "latest", "v1-linux-amd64", "latest-linux-amd64", "v1-linux-arm64", "latest-linux-arm64"]) {
      await d.getImage(`${registry.host}/${appPath}:${tag}`).remove({ force: true }).catch(() => {});
    }
    for (const ref of [base, stub, `${registry.host}/${prefix}/picky:v1-linux-amd64`]) await d.getImage(ref).remove({ force: true }).catch(() => {});
    // Pulls by platform leave repo@digest references on images shared with other tests (the
    // base's amd64 image is busybox:latest itself): remove the references, never the images.
    for (const image of await d.listImages({ digests: true })) {
      for (const ref of image.RepoDigests ?? []) {
        if (ref.startsWith(`${registry.host}/${prefix}/`)) await d.getImage(ref).remove().catch(() => {});
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("builds each platform, pushes them by digest under one OCI index that every tag points at", async () => {
    const r = await run(["build", "app", "--push", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { images: { id: string; status: string; digest: string; platforms: Record<string, { digest: string; imageId: string; contentHash: string }> }[] };
    const app = doc.images[0]!;
    expect(app.status).toBe("built");
    expect(Object.keys(app.platforms)).toEqual(["linux/amd64", "linux/arm64"]);

    const index = await manifestOf(registry, appPath, "v1");
    expect(index.type).toBe(OCI_INDEX);
    expect(index.digest).toBe(app.digest);
    expect((await manifestOf(registry, appPath, "latest")).digest).toBe(app.digest);
    const entries = (index.json as { manifests: { digest: string; size: number; platform: { os: string; architecture: string } }[] }).manifests;
    expect(entries.map((e) => e.platform)).toEqual([{ architecture: "amd64", os: "linux" }, { architecture: "arm64", os: "linux" }]);
    expect(entries.map((e) => e.digest)).toEqual([app.platforms["linux/amd64"]!.digest, app.platforms["linux/arm64"]!.digest]);
    for (const entry of entries) {
      const config = await configOf(registry, appPath, entry.digest);
      // Each entry's config says the architecture its platform claims.
      const platform = `${config.os}/${config.architecture}`;
      expect(platform).toBe(`${entry.platform.os}/${entry.platform.architecture}`);
      expect(config.config.Labels["io.runner-kit.platform"]).toBe(platform);
      expect(config.config.Labels["io.runner-kit.content-hash"]).toBe(app.platforms[platform]!.contentHash);
    }
    // No helper tags: only the variant's own.
    const tags = (await (await registryFetch(registry, `/v2/${appPath}/tags/list`)).json()) as { tags: string[] };
    expect(tags.tags.sort()).toEqual(["latest", "v1"]);

    // Locally each platform has its own tag.
    const d = await docker();
    expect((await d.getImage(`${registry.host}/${appPath}:v1-linux-arm64`).inspect()).Architecture).toBe("arm64");
    expect((await d.getImage(`${registry.host}/${appPath}:v1-linux-amd64`).inspect()).Architecture).toBe("amd64");

    // The lock: the index digest and each platform's image.
    const entry = lock().variants.app!;
    expect(entry.digest).toBe(app.digest);
    expect(entry.platforms).toEqual({
      "linux/amd64": { contentHash: app.platforms["linux/amd64"]!.contentHash, imageId: app.platforms["linux/amd64"]!.imageId, digest: entries[0]!.digest },
      "linux/arm64": { contentHash: app.platforms["linux/arm64"]!.contentHash, imageId: app.platforms["linux/arm64"]!.imageId, digest: entries[1]!.digest },
    });
    await expectNoLeaks(runId);
  });

  it("`docker pull --platform linux/arm64` of the tag gets the arm64 image: TARGETARCH was arm64 and it runs aarch64", async () => {
    const d = await docker();
    const ref = `${registry.host}/${appPath}:v1`;
    const authconfig = { username: registry.username, password: registry.password, serveraddress: registry.host };
    await readProgress(await d.pull(ref, { authconfig, platform: "linux/arm64" }));
    const out = await execa("docker", ["run", "--rm", "--platform", "linux/arm64", "--network", "none", "--label", `${MANAGED_LABEL}=true`, "--label", `${RUN_LABEL}=${runId}`, ref, "sh", "-c", "cat /target /built-on; uname -m"], { reject: false, all: true });
    expect(out.all).toBe("linux/arm64 arm64\naarch64\naarch64");
  });

  it("a rebuild with nothing changed is up to date for both platforms, --locked passes, the lock is unchanged", async () => {
    const before = readFileSync(join(dir, "runner-kit.lock"), "utf8");
    for (const argv of [["build", "app", "--push", "--locked", "--json"], ["build", "app", "--json"]]) {
      const r = await run(argv);
      expect(r.code, r.stderr).toBe(0);
      const app = (JSON.parse(r.stdout) as { images: { status: string; platforms: Record<string, { imageId?: string }> }[] }).images[0]!;
      expect(app.status).toBe("up-to-date");
      expect(Object.values(app.platforms).every((p) => p.imageId?.startsWith("sha256:"))).toBe(true);
    }
    expect(readFileSync(join(dir, "runner-kit.lock"), "utf8")).toBe(before);
    // --dry-run reads the same: nothing to do, and a platform added would be built.
    const dry = await run(["build", "app", "--push", "--dry-run", "--json"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect((JSON.parse(dry.stdout) as { images: { action: string; push: boolean }[] }).images[0]).toMatchObject({ action: "up-to-date", push: false });
    // One platform of the two: its image is there, whatever the list around it.
    const one = await run(["build", "app", "--platform", "linux/arm64", "--dry-run", "--json"]);
    expect((JSON.parse(one.stdout) as { images: { action: string; reason: string }[] }).images[0]).toEqual(
      expect.objectContaining({ action: "up-to-date", reason: "local images of linux/arm64 have their content hashes" }),
    );
    // A platform the base lacks is refused before the dry run too.
    const more = await run(["build", "app", "--platform", "linux/amd64,linux/arm64,linux/arm/v7", "--dry-run", "--json"]);
    expect(more.code).toBe(2);
    expect(more.stderr).toContain(`the base image ${base} has no manifest for linux/arm/v7 (it has: linux/amd64, linux/arm64, in its registry)`);
    // --locked for another platform list: the lock does not describe it (exit 2, nothing built).
    const stale = await run(["build", "app", "--platform", "linux/arm64", "--locked"]);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toMatch(/runner-kit\.lock is stale: app changed/);
  });

  it("build --smoke runs the smoke job in each platform's image, the arm64 one under emulation", async () => {
    const r = await run(["build", "app", "--smoke", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const app = (JSON.parse(r.stdout) as { images: { platforms: Record<string, { smoke: { result: string } }> }[] }).images[0]!;
    expect(Object.values(app.platforms).map((p) => p.smoke.result)).toEqual(["passed", "passed"]);
    expect(r.stderr).toContain("app (linux/amd64): smoke job from");
    expect(r.stderr).toContain("machine x86_64 built for linux/amd64 amd64");
    expect(r.stderr).toContain("app (linux/arm64): smoke job from");
    expect(r.stderr).toContain("machine aarch64 built for linux/arm64 arm64");
    await expectNoLeaks(runId);
  });

  it("smoke --platform pulls the index's image for that platform and runs the job in it", async () => {
    const ref = `${registry.host}/${appPath}:v1`;
    for (const [platform, machine] of [["linux/arm64", "aarch64"], ["linux/amd64", "x86_64"]] as const) {
      const r = await run(["smoke", "--image", ref, "--platform", platform, "--pull-policy", "always", "--job", "smoke.gitlab-ci.yml"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`machine ${machine} built for ${platform}`);
    }
    const bad = await run(["smoke", "--image", ref, "--platform", "linux/nope", "--job", "smoke.gitlab-ci.yml"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--platform: "linux/nope" is not a platform');
    await expectNoLeaks(runId);
  });

  it("runner-kit config pins the runner image by the index digest", async () => {
    const r = await run(["config", "--out", "runner"]);
    expect(r.code, r.stderr).toBe(0);
    const toml = parseToml(readFileSync(join(dir, "runner", "config.toml"), "utf8")) as { runners: { docker: { image: string } }[] };
    expect(toml.runners[0]!.docker.image).toBe(`${registry.host}/${appPath}@${lock().variants.app!.digest}`);
  });

  it("a base image without a requested platform fails before anything is built, naming the base and its platforms", async () => {
    const r = await run(["build", "solo", "--platform", "linux/amd64,linux/arm64"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("runner-kit-test/busybox-arm64:latest has no manifest for linux/amd64 (it has: linux/arm64");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("a platform whose build fails fails the variant before anything is pushed: no tag, no index", async () => {
    const r = await run(["build", "picky", "--push", "--json"]);
    expect(r.code).toBe(1);
    const picky = (JSON.parse(r.stdout) as { images: { status: string; error: string; output: string[]; pushed: boolean }[] }).images[0]!;
    expect(picky.status).toBe("failed");
    expect(picky.pushed).toBe(false);
    expect(picky.output.join("\n")).toContain("no arm64 here");
    const tags = await registryFetch(registry, `/v2/${prefix}/picky/tags/list`);
    expect(tags.status === 404 || ((await tags.json()) as { tags: string[] | null }).tags === null).toBe(true);
    expect(lock().variants.picky).toBeUndefined();
    await expectNoLeaks(runId);
  });

  it("a platform the daemon cannot run (no emulator registered) is named with what to install", async () => {
    const r = await run(["build", "foreign", "--json"]);
    expect(r.code).toBe(1);
    const foreign = (JSON.parse(r.stdout) as { images: { status: string; error: string }[] }).images[0]!;
    expect(foreign.status).toBe("failed");
    expect(foreign.error).toContain("cannot run linux/s390x programs: no emulator is registered for it in /proc/sys/fs/binfmt_misc (no qemu-s390x entry)");
    expect(foreign.error).toContain("qemu-user-static");
    await expectNoLeaks(runId);
  });
});
