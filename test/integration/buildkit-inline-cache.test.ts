/**
 * Registry cache for CI: an image built with inline cache metadata and pushed lets a fresh
 * daemon (empty cache, as docker:dind in every CI job) reuse its layers through cache-from.
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { pushTag } from "../../src/push/push.js";
import { buildWithBuildKit, contextDir, credentialFor, registryResolver } from "../support/buildkit.js";
import { docker } from "../support/docker.js";
import { PrivateDaemon } from "../support/private-daemon.js";

describe("BuildKit inline cache through a registry", () => {
  const registry = inject("registry");
  const runId = newRunId();
  const daemon = new PrivateDaemon();
  const repository = `${registry.host}/bk/inline-${runId}`;
  const dirs: string[] = [];

  beforeAll(async () => {
    await daemon.start();
    await daemon.loadFrom("busybox:latest", process.env.DOCKER_HOST);
  });

  afterAll(async () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await daemon.remove();
    await (await docker()).getImage(`${repository}:latest`).remove({ force: true }).catch(() => {});
  });

  it("a fresh daemon building with cache-from reports the pushed image's steps as CACHED", async () => {
    const context = contextDir({ Dockerfile: `FROM busybox:latest\nRUN echo one-${runId} | tee /one\nRUN echo two-${runId} | tee /two\n` });
    dirs.push(context);
    const resolveAuth = registryResolver([credentialFor(registry)]);
    const first = await buildWithBuildKit(await docker(), context, { tags: [`${repository}:latest`], inlineCache: true, resolveAuth });
    expect(first.outcome.error, first.lines.join("\n")).toBeUndefined();
    expect(first.lines).toEqual(expect.arrayContaining([`one-${runId}`, `two-${runId}`]));
    await pushTag(await docker(), repository, "latest", { auth: { username: registry.username, password: registry.password, serveraddress: registry.host }, attempts: 1 });

    const fresh = await buildWithBuildKit(daemon.client(), context, {
      tags: [`runner-kit-test/inline-${runId}:fresh`],
      cacheFrom: [`${repository}:latest`],
      baseImages: ["busybox:latest"],
      resolveAuth,
    });
    expect(fresh.outcome.error, fresh.lines.join("\n")).toBeUndefined();
    const cached = fresh.lines.filter((l) => / RUN echo (one|two)-.* \| tee \/(one|two) CACHED$/.test(l));
    expect(cached, fresh.lines.join("\n")).toHaveLength(2);
    expect(fresh.lines.some((l) => l === `one-${runId}` || l === `two-${runId}`)).toBe(false);
  });
});
