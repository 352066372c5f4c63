/**
 * Registry cache for CI: an image built with inline cache metadata and pushed lets a fresh
 * daemon (empty cache, as docker:dind in every CI job) reuse its layers through cache-from.
 */
import { afterAll, describe, expect, inject, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { pushTag } from "../../src/push/push.js";
import { buildWithBuildKit, contextDir, credentialFor, privateDaemonForFile, registryResolver } from "../support/buildkit.js";
import { docker } from "../support/docker.js";

describe("BuildKit inline cache through a registry", () => {
  const registry = inject("registry");
  const runId = newRunId();
  const { daemon, dirs } = privateDaemonForFile();
  const repository = `${registry.host}/bk/inline-${runId}`;

  afterAll(async () => {
    await (await docker()).getImage(`${repository}:latest`).remove({ force: true }).catch(() => {});
  });

  it("a fresh daemon building with cache-from reports the pushed image's steps as CACHED", async () => {
    const context = contextDir({ Dockerfile: `FROM busybox:latest\nRUN echo one-${runId} | tee /one\nRUN echo two-${runId} | tee /two\n` });
    dirs.push(context);
    const asked: string[] = [];
    const resolveAuth = registryResolver([credentialFor(registry)], asked);
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
    // The registry's credential was looked up by the cache-from reference.
    expect(asked).toContain(`${repository}:latest`);
    const cached = fresh.lines.filter((l) => / RUN echo (one|two)-.* \| tee \/(one|two) CACHED$/.test(l));
    expect(cached, fresh.lines.join("\n")).toHaveLength(2);
    expect(fresh.lines.some((l) => l === `one-${runId}` || l === `two-${runId}`)).toBe(false);
  });
});
