import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { projectEnv, runInProcess } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { dockerAuthConfigFor, registryFetch } from "../support/registry.js";
import { writeProjectFile } from "../support/project-files.js";
import { scanImage, scanText, secretForms } from "../support/secret-scan.js";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/** `runner-kit build` with build secrets and the registry cache, from runner-kit.yaml and the command line. */
describe("runner-kit build: secrets and cache (CLI, BuildKit)", () => {
  const registry = inject("registry");
  const runId = newRunId();
  const prefix = `${registry.host}/rk-${runId}`;
  const fileSecret = `file-secret-${randomBytes(9).toString("hex")}`;
  const envSecret = `env-secret-${randomBytes(9).toString("hex")}`;
  let dir: string;

  const env = (extra: NodeJS.ProcessEnv = {}) => projectEnv(dir, runId, { DOCKER_AUTH_CONFIG: dockerAuthConfigFor(registry), ...extra });
  const run = (argv: string[], extra?: NodeJS.ProcessEnv) => runInProcess(argv, { cwd: dir, env: env(extra) });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rk-build-secrets-"));
    writeProjectFile(
      dir,
      "runner-kit.yaml",
      [
        `registry: ${prefix}`,
        "templates: templates",
        "images:",
        "  app:",
        "    secrets:",
        "      npmrc: { file: secrets/npmrc }",
        "    cache: { inline: true }",
        "",
      ].join("\n"),
    );
    writeProjectFile(dir, "secrets/npmrc", fileSecret);
    // The run id makes the RUN step new to the daemon's cache: a secret's value is not part of BuildKit's cache key.
    writeProjectFile(
      dir,
      "templates/app/Dockerfile.hbs",
      "FROM busybox:latest\n" +
        "RUN --mount=type=secret,id=npmrc --mount=type=secret,id=token --mount=type=secret,id=unused " +
        `sh -c 'echo ${runId}; sha256sum /run/secrets/npmrc /run/secrets/token; test -e /run/secrets/unused || echo unused-skipped; wc -c /run/secrets/token > /proof'\n`,
    );
  });

  afterAll(async () => {
    const d = await docker();
    await d.getImage(`${prefix}/app:latest`).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("a missing secret variable is exit 2 naming the id and where it was given, before anything builds", async () => {
    const r = await run(["build", "--secret", "id=token,env=RK_TEST_TOKEN"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('--secret id=token,env=RK_TEST_TOKEN: the build secret "token" comes from the environment variable RK_TEST_TOKEN, which is not set');
    expect(r.stderr).not.toContain("building");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("builds with a secret from the project file and one from --secret; no value in stdout, stderr, the lock or the image; inline cache metadata is pushed", async () => {
    const r = await run(["build", "--push", "--json", "--progress", "plain", "--secret", "id=token,env=RK_TEST_TOKEN"], { RK_TEST_TOKEN: envSecret });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${sha(fileSecret)}  /run/secrets/npmrc`);
    expect(r.stderr).toContain(`${sha(envSecret)}  /run/secrets/token`);
    // A secret mount that is not required and that nobody gave is skipped.
    expect(r.stderr).toContain("unused-skipped");
    const forms = secretForms({ file: fileSecret, env: envSecret });
    expect([
      ...scanText("stdout", r.stdout, forms),
      ...scanText("stderr", r.stderr, forms),
      ...scanText("runner-kit.lock", readFileSync(join(dir, "runner-kit.lock"), "utf8"), forms),
    ]).toEqual([]);
    expect(await scanImage(`${prefix}/app:latest`, forms)).toEqual([]);

    // cache: { inline: true } → the pushed image's config carries BuildKit's cache metadata.
    const accept = { Accept: "application/vnd.docker.distribution.manifest.v2+json" };
    const manifest = (await (await registryFetch(registry, `/v2/rk-${runId}/app/manifests/latest`, { headers: accept })).json()) as { config: { digest: string } };
    const config = (await (await registryFetch(registry, `/v2/rk-${runId}/app/blobs/${manifest.config.digest}`)).json()) as Record<string, unknown>;
    expect(Object.keys(config)).toContain("moby.buildkit.cache.v0");
  });

  it("the content hash covers the secret ids, not their values: another value is up to date, another id rebuilds", async () => {
    const again = await run(["build", "--json", "--secret", "id=token,env=RK_TEST_TOKEN"], { RK_TEST_TOKEN: "another-value" });
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { images: { status: string }[] }).images[0]!.status).toBe("up-to-date");
    const more = await run(["build", "--json", "--secret", "id=token,env=RK_TEST_TOKEN", "--secret", "id=unused,env=RK_TEST_TOKEN"], { RK_TEST_TOKEN: "x" });
    expect(more.code, more.stderr).toBe(0);
    expect((JSON.parse(more.stdout) as { images: { status: string }[] }).images[0]!.status).toBe("built");
  });

  it("a --cache-from image that does not exist yet (the first pipeline) is ignored, with either builder", async () => {
    writeProjectFile(dir, "runner-kit.yaml", [`registry: ${prefix}`, "templates: templates", "images:", "  plain:", "    tags: [v1]", ""].join("\n"));
    writeProjectFile(dir, "templates/plain/Dockerfile.hbs", `FROM busybox:latest\nRUN echo ${runId} > /stamp\n`);
    for (const builder of ["buildkit", "classic"]) {
      const r = await run(["build", "--json", "--force", "--builder", builder, "--cache-from", `${prefix}/plain:never-pushed`, "--cache-inline"]);
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { images: { status: string }[] }).images[0]!.status).toBe("built");
      if (builder === "classic") expect(r.stderr).toContain("classic builder: inline cache is a BuildKit feature");
    }
    await (await docker()).getImage(`${prefix}/plain:v1`).remove({ force: true }).catch(() => {});
  });
});
