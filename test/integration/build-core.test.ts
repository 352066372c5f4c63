import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { buildVariants } from "../../src/bake/build-variants.js";
import { CONTENT_HASH_LABEL } from "../../src/builder/image-labels.js";
import type { BuildOptions } from "../../src/bake/types.js";
import { newRunId } from "../../src/engine/labels.js";
import { readProgress } from "../../src/engine/progress.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { registryFetch } from "../support/registry.js";
import { registryCredential, tempVariant, testBuildDeps } from "../support/build-project.js";

const OPTIONS: BuildOptions = { jobs: 2, push: false, force: false, noCache: false, pull: false };

describe("buildVariants against the real engine", () => {
  const registry = inject("registry");
  const runId = newRunId();
  const local = `runner-kit-test/build-${runId}`;
  const dirs: string[] = [];
  const images: string[] = [];

  afterAll(async () => {
    const d = await docker();
    for (const ref of images.reverse()) await d.getImage(ref).remove({ force: true }).catch(() => {});
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("builds with args and target, honours .dockerignore, labels the image, then skips it as up to date", async () => {
    const v = tempVariant(
      "args",
      `${local}-args`,
      "FROM busybox:latest AS base\nARG GREETING=unset\nCOPY . /ctx/\nRUN echo \"$GREETING\" > /greeting\nLABEL org.opencontainers.image.title=custom-title\nFROM base AS final\nRUN false\n",
      { "keep.txt": "kept", "secret.env": "excluded", "logs/a.log": "x", ".dockerignore": "*.env\nlogs\n" },
      { args: { GREETING: `hi-${runId}` }, target: "base" },
    );
    dirs.push(v.context);
    images.push(`${v.repository}:v1`);
    const lines: string[] = [];
    const deps = await testBuildDeps(lines, undefined, { vcs: async () => ({ source: 'https://example.com/a$b"c\\d', revision: "0123abc" }) });
    const [first] = await buildVariants([v], deps, OPTIONS);
    expect(first!.status, JSON.stringify(first) + lines.join("\n")).toBe("built");

    const d = await docker();
    const info = await d.getImage(`${v.repository}:v1`).inspect();
    expect(info.Config.Labels?.[CONTENT_HASH_LABEL]).toBe(first!.contentHash);
    expect(info.Config.Labels?.["org.opencontainers.image.base.name"]).toBe("docker.io/library/busybox:latest");
    expect(info.Config.Labels?.["org.opencontainers.image.version"]).toBe("v1");
    expect(info.Config.Labels?.["io.runner-kit.variant"]).toBe("args");
    // The template's own LABEL keeps its title; runner-kit's labels continued that instruction.
    expect(info.Config.Labels?.["org.opencontainers.image.title"]).toBe("custom-title");
    expect(info.Config.Labels?.["org.opencontainers.image.source"]).toBe('https://example.com/a$b"c\\d');
    expect(info.Config.Labels?.["org.opencontainers.image.revision"]).toBe("0123abc");
    expect(info.Config.Labels?.["org.opencontainers.image.created"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const container = await d.createContainer({ Image: `${v.repository}:v1`, Cmd: ["sh", "-c", "cat /greeting; ls /ctx"], Labels: { "io.runner-kit.managed": "true", "io.runner-kit.run": runId } });
    try {
      await container.start();
      await container.wait();
      const out = (await container.logs({ stdout: true, stderr: true })).toString("utf8");
      expect(out).toContain(`hi-${runId}`);
      expect(out).toContain("keep.txt");
      expect(out).not.toContain("secret.env");
      expect(out).not.toContain("logs");
    } finally {
      await container.remove({ force: true });
    }

    const again: string[] = [];
    const [second] = await buildVariants([v], await testBuildDeps(again), OPTIONS);
    expect(second!.status).toBe("up-to-date");
    expect(second!.imageId).toBe(info.Id);
    expect(again.join("\n")).not.toContain("Step 1/");
    await expectNoLeaks(runId);
  });

  it("fails a RUN step with its step and output, and still builds the other image", async () => {
    const bad = tempVariant("bad", `${local}-bad`, "FROM busybox:latest\nRUN echo first-line-${RANDOM}\nRUN echo 'about to fail' && echo oops-output >&2 && exit 3\n");
    const good = tempVariant("good", `${local}-good`, `FROM busybox:latest\nRUN echo ${runId} > /ok\n`);
    dirs.push(bad.context, good.context);
    images.push(`${good.repository}:v1`);
    const lines: string[] = [];
    const results = await buildVariants([bad, good], await testBuildDeps(lines), OPTIONS);
    const [b, g] = results;
    expect(g!.status).toBe("built");
    expect(b!.status).toBe("failed");
    expect(b!.failedStep).toMatch(/^Step 3\/\d+ : RUN echo 'about to fail'/);
    expect(b!.error).toMatch(/returned a non-zero code: 3/);
    expect(b!.output?.join("\n")).toContain("oops-output");
    await expectNoLeaks(runId);
  });

  it("builds an image FROM another image of the project after it, FROM a private registry, and pushes with read-back", async () => {
    const d = await docker();
    const cred = registryCredential(registry);
    // A base image that exists only in the authenticated registry.
    const privateBase = `${registry.host}/private/base-${runId}:v1`;
    const seed = tempVariant("seed", `${registry.host}/private/base-${runId}`, `FROM busybox:latest\nRUN echo private-${runId} > /private\n`);
    dirs.push(seed.context);
    const seeded = await buildVariants([seed], await testBuildDeps([], cred), { ...OPTIONS, push: true });
    expect(seeded[0]!.status, seeded[0]!.error).toBe("built");
    await d.getImage(privateBase).remove({ force: true });

    // Without credentials the daemon cannot pull it: the FROM really needs X-Registry-Config.
    const anonymous = tempVariant("anon", `${local}-anon`, `FROM ${privateBase}\nRUN true\n`);
    dirs.push(anonymous.context);
    const [denied] = await buildVariants([anonymous], await testBuildDeps([]), OPTIONS);
    expect(denied!.status).toBe("failed");
    expect(denied!.error).toMatch(/unauthorized|authentication required|no basic auth/i);

    const base = tempVariant("base", `${registry.host}/team/base-${runId}`, `FROM ${privateBase}\nRUN echo base > /base\n`);
    const app = tempVariant("app", `${registry.host}/team/app-${runId}`, `FROM ${registry.host}/team/base-${runId}:v1\nRUN cat /private /base > /both\n`, {}, { tags: ["v1", "latest"] });
    dirs.push(base.context, app.context);
    images.push(`${app.repository}:v1`, `${app.repository}:latest`, `${base.repository}:v1`, privateBase);
    const lines: string[] = [];
    const [appResult, baseResult] = await buildVariants([app, base], await testBuildDeps(lines, cred), { ...OPTIONS, push: true });
    expect(baseResult!.status, baseResult!.error + lines.join("\n")).toBe("built");
    expect(appResult!.status, appResult!.error + lines.join("\n")).toBe("built");
    expect(lines.findIndex((l) => l.startsWith("[app] building"))).toBeGreaterThan(lines.findIndex((l) => l.startsWith("[base] built")));
    expect(appResult!.baseImages[base.repository]).toBe(baseResult!.digest);
    expect(baseResult!.baseImages[privateBase]).toMatch(/^sha256:[0-9a-f]{64}$/);

    const head = await registryFetch(registry, `/v2/team/app-${runId}/manifests/latest`, { method: "HEAD", headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json" } });
    expect(head.headers.get("docker-content-digest")).toBe(appResult!.digest);

    // Pull back by digest and run it.
    for (const ref of [`${app.repository}:v1`, `${app.repository}:latest`]) await d.getImage(ref).remove({ force: true });
    await readProgress(await d.pull(`${app.repository}@${appResult!.digest}`, { authconfig: { username: cred.username, password: cred.password, serveraddress: registry.host } }));
    images.push(`${app.repository}@${appResult!.digest}`);
    const c = await d.createContainer({ Image: `${app.repository}@${appResult!.digest}`, Cmd: ["cat", "/both"], Labels: { "io.runner-kit.managed": "true", "io.runner-kit.run": runId } });
    try {
      await c.start();
      await c.wait();
      expect((await c.logs({ stdout: true })).toString("utf8")).toContain(`private-${runId}`);
    } finally {
      await c.remove({ force: true });
    }

    // Unchanged and already in the registry: nothing built, nothing pushed.
    const again: string[] = [];
    const second = await buildVariants([app, base], await testBuildDeps(again, cred), { ...OPTIONS, push: true });
    expect(second.map((r) => r.status)).toEqual(["up-to-date", "up-to-date"]);
    expect(second[0]!.digest).toBe(appResult!.digest);
    expect(second.every((r) => !r.pushed)).toBe(true);

    // The base only in the registry, the app changed: the app's build pulls its project base
    // with the registry's credentials.
    await d.getImage(`${base.repository}:v1`).remove({ force: true });
    writeFileSync(join(app.context, "changed.txt"), runId);
    const third = await buildVariants([app, base], await testBuildDeps([], cred), { ...OPTIONS, push: true });
    expect(third.map((r) => r.status), third.map((r) => r.error).join("; ")).toEqual(["built", "up-to-date"]);
    await expectNoLeaks(runId);
  });

  it("reports refused credentials clearly and does not retry them", async () => {
    const v = tempVariant("wrong", `${registry.host}/team/wrong-${runId}`, "FROM busybox:latest\nRUN true\n");
    dirs.push(v.context);
    images.push(`${v.repository}:v1`);
    const lines: string[] = [];
    const [r] = await buildVariants([v], await testBuildDeps(lines, registryCredential(registry, "not-the-password")), { ...OPTIONS, push: true });
    expect(r!.status).toBe("failed");
    expect(r!.error).toMatch(new RegExp(`refused .*${registry.username}`));
    expect(r!.error).not.toContain("not-the-password");
    expect(lines.join("\n")).not.toMatch(/retrying/);
    await expectNoLeaks(runId);
  });
});
