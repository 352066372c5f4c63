/**
 * The registry dies (SIGKILL) while `runner-kit build --push` (the built binary) is pushing a
 * large layer. Restarted with its storage and port: the push is retried and completes, and
 * the lock holds the digest the registry serves. Left down: the build fails after the retry
 * budget with one paragraph naming the registry, exit 1, and the lock is left as it was.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { newRunId, runLabels } from "../../src/engine/labels.js";
import type { LockFile } from "../../src/lock/lockfile.js";
import { serializeLock } from "../../src/lock/store.js";
import { BIN, type CliResult } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { freePort } from "../support/free-port.js";
import { expectNoLeaks } from "../support/leaks.js";
import { writeProjectFiles } from "../support/project-files.js";
import { dockerAuthConfigFor, killRegistry, registryFetch, restartRegistry, startRegistry, stopRegistry, type TestRegistry } from "../support/registry.js";

const MANIFEST_ACCEPT = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json";

describe("registry killed mid-push", () => {
  const fixtures = inject("fixtures");
  const runId = newRunId();
  const registryRunId = `${runId}-registry`;
  const volume = `rk-faults-registry-${runId}`;
  let registry: TestRegistry;
  let dir: string;
  let repository: string;
  const images: string[] = [];

  const env = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: dir,
    NO_COLOR: "1",
    RUNNER_KIT_RUN_ID: runId,
    DOCKER_AUTH_CONFIG: dockerAuthConfigFor(registry),
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
  });

  /** Run `build --push`; when stderr shows `trigger`, kill the registry, then call `then` (given the output so far). */
  async function buildKillingRegistry(trigger: string, then: (output: () => string) => Promise<void>): Promise<CliResult> {
    const d = await docker();
    const child = execa("node", [BIN, "build", "--push"], { cwd: dir, env: env(), reject: false, timeout: 600_000 });
    let stderr = "";
    let fault: Promise<void> | undefined;
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
      if (!fault && stderr.includes(trigger)) fault = killRegistry(d, registry).then(() => then(() => stderr));
    });
    const result = await child;
    await fault;
    expect(fault, `never saw ${JSON.stringify(trigger)}:\n${result.stderr}`).toBeDefined();
    return { code: result.exitCode ?? 1, stdout: result.stdout, stderr: result.stderr };
  }

  beforeAll(async () => {
    const d = await docker();
    await d.createVolume({ Name: volume, Labels: runLabels(registryRunId) });
    registry = await startRegistry(d, fixtures.registry, registryRunId, { hostPort: await freePort(), volume });
    repository = `${registry.host}/rk-${runId}/app`;
    dir = mkdtempSync(join(tmpdir(), "rk-registry-restart-"));
    writeProjectFiles(dir, {
      "runner-kit.yaml": [`registry: ${registry.host}/rk-${runId}`, "templates: templates", "images:", "  app:", "    template: app", "    context: ctx", "    tags: [v1]", ""].join("\n"),
      // A layer of random data (incompressible): the push takes long enough to be cut.
      "templates/app/Dockerfile.hbs": "FROM busybox:latest\nCOPY v.txt /v.txt\nRUN head -c 48000000 /dev/urandom > /blob\n",
      "ctx/v.txt": "one\n",
    });
  });

  afterAll(async () => {
    const d = await docker();
    if (registry) await stopRegistry(d, registry);
    await d.getVolume(volume).remove().catch(() => {});
    for (const ref of images) await d.getImage(ref).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    await expectNoLeaks(registryRunId);
  });

  it("restarted with its storage and port: the push is retried and completes; the lock has the registry's digest", { timeout: 600_000 }, async () => {
    const d = await docker();
    const r = await buildKillingRegistry("[app] pushing\n", async () => {
      // Down long enough for the daemon to notice (its own layer retries wait 5 s and more).
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await restartRegistry(d, registry);
    });
    images.push((await d.getImage(`${repository}:v1`).inspect()).Id);
    expect(r.code, r.stderr).toBe(0);
    // Retried: by the daemon (a layer upload) or by runner-kit (the whole push).
    expect(r.stderr, "no retry was reported").toMatch(/Retrying in \d+ seconds?|retrying in [\d.]+ s \(attempt \d of \d\)/);
    expect(r.stderr).toMatch(/\[app\] built and pushed in [\d.]+ s sha256:[0-9a-f]{64}/);
    const text = readFileSync(join(dir, "runner-kit.lock"), "utf8");
    const lock = JSON.parse(text) as LockFile;
    expect(serializeLock(lock)).toBe(text);
    const res = await registryFetch(registry, `/v2/rk-${runId}/app/manifests/v1`, { method: "HEAD", headers: { Accept: MANIFEST_ACCEPT } });
    expect(res.status).toBe(200);
    expect(lock.variants.app!.digest).toBe(res.headers.get("docker-content-digest"));
    // The manifest's layers are all there (the interrupted upload was not left half-written).
    const manifest = (await (await registryFetch(registry, `/v2/rk-${runId}/app/manifests/v1`, { headers: { Accept: MANIFEST_ACCEPT } })).json()) as { layers: { digest: string }[] };
    for (const layer of manifest.layers) {
      expect((await registryFetch(registry, `/v2/rk-${runId}/app/blobs/${layer.digest}`, { method: "HEAD" })).status, layer.digest).toBe(200);
    }
    await expectNoLeaks(runId);
  });

  it("down when the push starts, back seconds later: runner-kit's own retries carry the push through", { timeout: 600_000 }, async () => {
    const d = await docker();
    writeFileSync(join(dir, "ctx", "v.txt"), "two\n");
    // Killed while the image builds; restarted only once the push has been refused at least once.
    const r = await buildKillingRegistry("[app] building\n", async (output) => {
      while (!/\[app\] push of .* failed \(.*connection refused\); retrying in/.test(output())) await new Promise((resolve) => setTimeout(resolve, 100));
      // Longer than the whole budget runner-kit used to have (1 + 2 s), well within today's (2 + 4 + 8 + 16 s).
      await new Promise((resolve) => setTimeout(resolve, 4000));
      await restartRegistry(d, registry);
    });
    images.push((await d.getImage(`${repository}:v1`).inspect()).Id);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[app\] push of \S+:v1 failed \(.*connection refused\); retrying in 2 s \(attempt 2 of 5\)/);
    const lock = JSON.parse(readFileSync(join(dir, "runner-kit.lock"), "utf8")) as LockFile;
    const res = await registryFetch(registry, `/v2/rk-${runId}/app/manifests/v1`, { method: "HEAD", headers: { Accept: MANIFEST_ACCEPT } });
    expect(lock.variants.app!.digest).toBe(res.headers.get("docker-content-digest"));
    await expectNoLeaks(runId);
  });

  it("left down: fails after the retry budget with one paragraph naming the registry, exit 1, lock unchanged", { timeout: 600_000 }, async () => {
    const lockPath = join(dir, "runner-kit.lock");
    const before = existsSync(lockPath) ? readFileSync(lockPath, "utf8") : undefined;
    writeFileSync(join(dir, "ctx", "v.txt"), "three\n");
    const r = await buildKillingRegistry("[app] pushing\n", async () => {});
    const d = await docker();
    images.push((await d.getImage(`${repository}:v1`).inspect()).Id);
    expect(r.code, r.stderr).toBe(1);
    const failedLine = r.stderr.split("\n").find((l) => l.startsWith("[app] failed after"));
    expect(failedLine, r.stderr).toMatch(
      new RegExp(`^\\[app\\] failed after [\\d.]+ s: the registry ${registry.host.replace(/\./g, "\\.")} stopped answering while ${repository.replace(/\./g, "\\.")}:v1 was being pushed \\(.+\\); gave up after \\d+ attempts\\. Check that the registry is up, then run the build again$`),
    );
    expect(r.stderr.trimEnd().split("\n").at(-1)).toBe("runner-kit: 1 of 1 image failed: app. The summary above shows each failure.");
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(lockPath) ? readFileSync(lockPath, "utf8") : undefined).toBe(before);
    await expectNoLeaks(runId);
  });
});
