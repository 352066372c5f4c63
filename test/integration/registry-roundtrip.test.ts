import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { packDirectory } from "../support/tar.js";
import { newRunId, runLabels } from "../../src/engine/labels.js";
import { readProgress, StreamError } from "../../src/engine/progress.js";
import { removeManagedResources } from "../support/resources.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { registryFetch } from "../support/registry.js";

/**
 * The foundation's end-to-end proof that the test environment is real: an image built by
 * the engine, pushed to the authenticated registry, pulled back by digest and run.
 */
describe("test environment: build → push → pull by digest", () => {
  const registry = inject("registry");
  const runId = newRunId();
  const repo = `${registry.host}/foundation/hello-${runId}`;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rk-foundation-"));
    writeFileSync(
      join(dir, "Dockerfile"),
      "FROM busybox:latest\nARG GREETING=unset\nRUN echo \"$GREETING\" > /greeting\nCMD [\"cat\", \"/greeting\"]\n",
    );
  });

  afterAll(async () => {
    const d = await docker();
    await removeManagedResources(d, runId);
    for (const ref of [`${repo}:v1`]) await d.getImage(ref).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("pushes with credentials, reads the manifest back and pulls by digest", async () => {
    const d = await docker();
    const nonce = `hello-${runId}`;
    await readProgress(
      await d.buildImage(packDirectory(dir), { t: `${repo}:v1`, buildargs: { GREETING: nonce }, labels: { "io.runner-kit.test": runId } }),
    );

    const authconfig = { username: registry.username, password: registry.password, serveraddress: registry.host };
    const pushEvents = await readProgress(await d.getImage(`${repo}:v1`).push({ authconfig }));
    const digestLine = pushEvents.map((e) => e.status ?? "").find((s) => /digest: sha256:[0-9a-f]{64} size: \d+/.test(s));
    expect(digestLine, JSON.stringify(pushEvents)).toBeDefined();
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(digestLine!)![1]!;

    // The registry really has it, behind auth.
    const anonymous = await fetch(`http://${registry.host}/v2/foundation/hello-${runId}/manifests/v1`);
    expect(anonymous.status).toBe(401);
    const manifest = await registryFetch(registry, `/v2/foundation/hello-${runId}/manifests/v1`, {
      headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json" },
    });
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get("docker-content-digest")).toBe(digest);

    // Gone locally, back by digest.
    await d.getImage(`${repo}:v1`).remove({ force: true });
    await readProgress(await d.pull(`${repo}@${digest}`, { authconfig }));
    const container = await d.createContainer({ Image: `${repo}@${digest}`, Labels: runLabels(runId) });
    try {
      await container.start();
      await container.wait();
      const logs = (await container.logs({ stdout: true, stderr: true })).toString("utf8");
      expect(logs).toContain(nonce);
    } finally {
      await container.remove({ force: true });
      await d.getImage(`${repo}@${digest}`).remove({ force: true }).catch(() => {});
    }
    await expectNoLeaks(runId);
  });

  it("refuses a wrong password with the registry's error in the stream", async () => {
    const d = await docker();
    await readProgress(await d.buildImage(packDirectory(dir), { t: `${repo}:v1` }));
    const stream = await d.getImage(`${repo}:v1`).push({
      authconfig: { username: registry.username, password: "not-the-password", serveraddress: registry.host },
    });
    const error = await readProgress(stream).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).message).toMatch(/unauthorized|authentication required|no basic auth/i);
    await expectNoLeaks(runId);
  });
});
