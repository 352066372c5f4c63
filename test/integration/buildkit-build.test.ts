import { randomBytes, createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { extract } from "tar-fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { buildWithBuildKit, contextDir, credentialFor, registryResolver, seedRegistryImage } from "../support/buildkit.js";
import { docker } from "../support/docker.js";
import { startRegistry, stopRegistry, type TestRegistry } from "../support/registry.js";
import { scanImage, scanText, secretForms } from "../support/secret-scan.js";

/** Every file of a `docker save` of the image, each layer tar included, as raw bytes. */
async function savedFiles(ref: string, into: string): Promise<string[]> {
  const stream = await (await docker()).getImage(ref).get();
  await new Promise<void>((resolve, reject) => {
    const out = extract(into);
    out.on("finish", resolve);
    out.on("error", reject);
    stream.on("error", reject);
    stream.pipe(out);
  });
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(into);
  return files;
}

describe("BuildKitBuilder against the real daemon and registries", () => {
  const registry = inject("registry");
  const runId = newRunId();
  const repo = `runner-kit-test/bk-${runId}`;
  const dirs: string[] = [];
  let second: TestRegistry;
  const dir = (files: Record<string, string>) => {
    const made = contextDir(files);
    dirs.push(made);
    return made;
  };

  beforeAll(async () => {
    second = await startRegistry(await docker(), inject("fixtures").registry, `bk-${runId}`);
  });

  afterAll(async () => {
    const d = await docker();
    await stopRegistry(d, second);
    const images = await d.listImages({ filters: { reference: [`${repo}*`] } });
    for (const image of images) await d.getImage(image.Id).remove({ force: true }).catch(() => {});
    for (const made of dirs) rmSync(made, { recursive: true, force: true });
  });

  it("builds FROM a private image of the test registry with the registry's credential, and applies labels", async () => {
    const base = await seedRegistryImage(await docker(), registry, `bk/base-${runId}`, `base-${runId}`);
    const asked: string[] = [];
    const { outcome, lines } = await buildWithBuildKit(await docker(), dir({ Dockerfile: `FROM ${base}\nARG NOTE\nRUN cat /marker && echo "note=$NOTE"\n` }), {
      tags: [`${repo}:private`],
      baseImages: [base],
      buildArgs: { NOTE: `n-${runId}` },
      labels: { "org.opencontainers.image.title": `bk-${runId}`, "io.runner-kit.test": runId },
      resolveAuth: registryResolver([credentialFor(registry)], asked),
    });
    expect(outcome.error, lines.join("\n")).toBeUndefined();
    expect(outcome.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(asked).toContain(base);
    expect(lines).toContain(`base-${runId}`);
    expect(lines).toContain(`note=n-${runId}`);
    expect(lines.some((l) => /^\[2\/2\] RUN cat \/marker/.test(l))).toBe(true);
    const inspect = await (await docker()).getImage(`${repo}:private`).inspect();
    expect(inspect.Id).toBe(outcome.imageId);
    expect(inspect.Config.Labels).toMatchObject({ "org.opencontainers.image.title": `bk-${runId}`, "io.runner-kit.test": runId });
  });

  it("answers each registry host with its own credential: two private registries in one Dockerfile", async () => {
    const d = await docker();
    const one = await seedRegistryImage(d, registry, `bk/one-${runId}`, `one-${runId}`);
    const two = await seedRegistryImage(d, second, `bk/two-${runId}`, `two-${runId}`);
    expect(registry.username).not.toBe(second.username);
    const dockerfile = `FROM ${two} AS two\nFROM ${one}\nCOPY --from=two /marker /marker-two\nRUN cat /marker /marker-two\n`;
    const context = dir({ Dockerfile: dockerfile });
    const good = await buildWithBuildKit(d, context, {
      tags: [`${repo}:two-registries`],
      baseImages: [two, one],
      resolveAuth: registryResolver([credentialFor(registry), credentialFor(second)]),
    });
    expect(good.outcome.error, good.lines.join("\n")).toBeUndefined();
    expect(good.lines).toEqual(expect.arrayContaining([`one-${runId}`, `two-${runId}`]));

    // The second registry's credential is wrong: the refusal names that host and where the credential came from.
    const bad = await buildWithBuildKit(d, context, {
      tags: [`${repo}:two-registries-refused`],
      baseImages: [two, one],
      noCache: true,
      resolveAuth: registryResolver([credentialFor(registry), credentialFor(second, "wrong-password")]),
    });
    expect(bad.outcome.imageId).toBeUndefined();
    expect(bad.outcome.error).toContain(second.host);
    expect(bad.outcome.error).toContain(`runner-kit sent the credentials for ${second.host} from test credentials of ${second.host}`);
  });

  it("serves secrets from a file and from an env var, and neither value is in the output, the image config, history or any layer", async () => {
    const fileSecret = `file-secret-${randomBytes(9).toString("hex")}`;
    const envSecret = `env-secret-${randomBytes(9).toString("hex")}`;
    const context = dir({
      Dockerfile:
        "FROM busybox:latest\n" +
        "RUN --mount=type=secret,id=npmrc --mount=type=secret,id=token " +
        "sha256sum /run/secrets/npmrc /run/secrets/token && cat /run/secrets/token && echo && wc -c /run/secrets/npmrc > /proof\n",
    });
    const secretFile = join(context, "..", `${context.split("/").pop()}-npmrc`);
    writeFileSync(secretFile, fileSecret, { mode: 0o600 });
    dirs.push(secretFile);
    const { outcome, lines } = await buildWithBuildKit(
      await docker(),
      context,
      // A secret's value is not part of BuildKit's cache key: without noCache a rerun would be CACHED and read nothing.
      { tags: [`${repo}:secrets`], noCache: true, secrets: { npmrc: { file: secretFile }, token: { env: "RK_TEST_TOKEN" } } },
      { env: { RK_TEST_TOKEN: envSecret } },
    );
    expect(outcome.error, lines.join("\n")).toBeUndefined();
    // The step read both values (their digests are in its output) …
    const digest = (value: string) => createHash("sha256").update(value).digest("hex");
    expect(lines.some((l) => l.startsWith(`${digest(fileSecret)}  /run/secrets/npmrc`))).toBe(true);
    expect(lines.some((l) => l.startsWith(`${digest(envSecret)}  /run/secrets/token`))).toBe(true);
    // … the value the step printed is redacted …
    expect(lines).toContain("[redacted]");
    const forms = secretForms({ file: fileSecret, env: envSecret });
    expect(scanText("build output", lines.join("\n"), forms)).toEqual([]);
    // … and nothing of either is in the image.
    expect(await scanImage(`${repo}:secrets`, forms)).toEqual([]);
    const saveDir = dir({});
    const files = await savedFiles(`${repo}:secrets`, saveDir);
    expect(files.filter((f) => f.endsWith("layer.tar")).length).toBeGreaterThan(0);
    expect(files.flatMap((f) => scanText(f, readFileSync(f).toString("latin1"), forms))).toEqual([]);
  });

  it("fails a build whose required secret mount asks for an id nobody gave, naming the id", async () => {
    const run = "RUN --mount=type=secret,id=npmrc,required=true cat /run/secrets/npmrc";
    const { outcome, lines } = await buildWithBuildKit(await docker(), dir({ Dockerfile: `FROM busybox:latest\n${run}\n` }), {
      tags: [`${repo}:missing-secret`],
      secrets: { token: { env: "UNUSED" } },
    });
    expect(outcome.imageId, lines.join("\n")).toBeUndefined();
    expect(outcome.error).toMatch(/secret "npmrc".*none by that id \(it has: token\); give it with --secret id=npmrc,src=FILE/);
    expect(outcome.error).not.toMatch(/rpc error/);
    expect(outcome.failedStep).toBe(`[2/2] ${run}`);
  });

  it("skips a secret mount that is not required when nobody gave its id, as the docker CLI does", async () => {
    const context = dir({ Dockerfile: "FROM busybox:latest\nRUN --mount=type=secret,id=npmrc sh -c 'test -e /run/secrets/npmrc && echo mounted || echo skipped'\n" });
    const { outcome, lines } = await buildWithBuildKit(await docker(), context, { tags: [`${repo}:optional-secret`], noCache: true });
    expect(outcome.error, lines.join("\n")).toBeUndefined();
    expect(outcome.imageId).toMatch(/^sha256:/);
    expect(lines.some((l) => /\bskipped$/.test(l))).toBe(true);
    expect(lines.some((l) => /\bmounted$/.test(l))).toBe(false);
  });

  it("keeps a cache mount's content from one build to the next", async () => {
    const context = dir({
      Dockerfile: `FROM busybox:latest\nARG NONCE\nRUN --mount=type=cache,target=/cache,id=rk-${runId} sh -c 'echo "previous=$(cat /cache/stamp 2>/dev/null || echo none)"; echo "$NONCE" > /cache/stamp'\n`,
    });
    const first = await buildWithBuildKit(await docker(), context, { tags: [`${repo}:cache`], buildArgs: { NONCE: `first-${runId}` } });
    expect(first.outcome.error, first.lines.join("\n")).toBeUndefined();
    expect(first.lines).toContain("previous=none");
    const again = await buildWithBuildKit(await docker(), context, { tags: [`${repo}:cache`], buildArgs: { NONCE: `second-${runId}` } });
    expect(again.outcome.error, again.lines.join("\n")).toBeUndefined();
    expect(again.lines).toContain(`previous=first-${runId}`);
    // The same inputs once more: the step is not run at all, the output says CACHED.
    const cached = await buildWithBuildKit(await docker(), context, { tags: [`${repo}:cache`], buildArgs: { NONCE: `second-${runId}` } });
    expect(cached.lines.some((l) => /^\[(stage-0 )?2\/2\] RUN --mount=type=cache.* CACHED$/.test(l)), cached.lines.join("\n")).toBe(true);
    expect(cached.outcome.imageId).toBe(again.outcome.imageId);
  });

  it("reports a failing RUN with its step and last output lines", async () => {
    const { outcome, lines } = await buildWithBuildKit(
      await docker(),
      dir({ Dockerfile: `FROM busybox:latest\nRUN echo ok-${runId}\nRUN echo "before the failure ${runId}" && echo to-stderr >&2 && exit 3\n` }),
      { tags: [`${repo}:fails`], noCache: true },
    );
    expect(outcome.imageId).toBeUndefined();
    expect(outcome.failedStep).toBe(`[3/3] RUN echo "before the failure ${runId}" && echo to-stderr >&2 && exit 3`);
    expect(outcome.error).toMatch(/exit code: 3/);
    // stdout and stderr reach BuildKit on separate pipes: both are there, in either order.
    expect(outcome.tail).toHaveLength(2);
    expect(outcome.tail).toEqual(expect.arrayContaining([`before the failure ${runId}`, "to-stderr"]));
    expect(lines).toContain(`ok-${runId}`);
    await expect((await docker()).getImage(`${repo}:fails`).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});
