import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse } from "smol-toml";
import { dockerAuthConfig } from "../../src/auth/daemon-auth.js";
import { resolveRegistryAuth } from "../../src/auth/resolve.js";
import { loadAuthSources } from "../../src/auth/sources.js";
import { newRunId } from "../../src/engine/labels.js";
import type { StreamError } from "../../src/engine/progress.js";
import { readProgress } from "../../src/engine/progress.js";
import { removeManagedResources } from "../support/resources.js";
import { packDirectory } from "../support/tar.js";
import { buildRunnerConfig } from "../../src/runner/assemble.js";
import { parseRunnerSection } from "../../src/runner/parse-section.js";
import { writeRunnerFiles } from "../../src/runner/write.js";
import { SecretSet } from "../../src/common/secrets.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";

/**
 * What `runner-kit config` writes, used the way GitLab Runner uses it: the written
 * docker/config.json (auths), given as DOCKER_AUTH_CONFIG to the resolver, pulls an image
 * from the real authenticated registry — and so does the DOCKER_AUTH_CONFIG in config.toml.
 */
describe("runner config credentials pull from the authenticated registry", () => {
  const registry = inject("registry");
  const runId = newRunId();
  const repo = `${registry.host}/runner-kit-config/pull-${runId}`;
  const image = `${repo}:v1`;
  let dir: string;
  let outDir: string;
  let emptyHome: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rk-config-int-"));
    outDir = join(dir, "out");
    emptyHome = join(dir, "home");
    writeFileSync(join(dir, "Dockerfile"), `FROM busybox:latest\nRUN echo ${runId} > /marker\n`);
    const d = await docker();
    await readProgress(await d.buildImage(packDirectory(dir), { t: image, labels: { "io.runner-kit.test": runId } }));
    const authconfig = { username: registry.username, password: registry.password, serveraddress: registry.host };
    await readProgress(await d.getImage(image).push({ authconfig }));
    await d.getImage(image).remove({ force: true });

    // The project names the variables; the environment holds the values.
    const runner = parseRunnerSection(
      {
        url: "https://gitlab.example.com",
        image,
        registries: [{ host: registry.host, username_env: "RK_TEST_REGISTRY_USER", password_env: "RK_TEST_REGISTRY_PASSWORD" }],
      },
      "runner-kit.yaml: runner",
    );
    const output = buildRunnerConfig({
      projectLabel: "runner-kit.yaml",
      rootDir: dir,
      runner,
      variants: [],
      env: { RK_TEST_REGISTRY_USER: registry.username, RK_TEST_REGISTRY_PASSWORD: registry.password },
      readFile: (p) => readFileSync(p, "utf8"),
      secrets: new SecretSet(),
    });
    await writeRunnerFiles(outDir, output.files);
  });

  afterAll(async () => {
    const d = await docker();
    await removeManagedResources(d, runId);
    await d.getImage(image).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  async function pullWith(dockerAuthConfigText: string): Promise<void> {
    const sources = await loadAuthSources({ env: { DOCKER_AUTH_CONFIG: dockerAuthConfigText }, homeDir: emptyHome });
    const credential = await resolveRegistryAuth(image, sources, { env: { PATH: process.env.PATH } });
    expect(credential).toMatchObject({ registry: registry.host, username: registry.username, source: "DOCKER_AUTH_CONFIG" });
    expect(credential!.password).toBe(registry.password);
    const d = await docker();
    await readProgress(await d.pull(image, { authconfig: dockerAuthConfig(credential!) }));
    const info = await d.getImage(image).inspect();
    expect(info.RepoTags).toContain(image);
    await d.getImage(image).remove({ force: true });
  }

  it("the registry refuses an anonymous pull", async () => {
    const d = await docker();
    const error = await d
      .pull(image)
      .then((stream) => readProgress(stream))
      .catch((e: unknown) => e);
    expect(error).toBeDefined();
    expect(String((error as StreamError | Error).message)).toMatch(/unauthorized|authentication required|no basic auth|denied/i);
    await expectNoLeaks(runId);
  });

  it("docker/config.json (0600, auths) as DOCKER_AUTH_CONFIG pulls the image", async () => {
    const path = join(outDir, "docker", "config.json");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, "utf8");
    expect(Object.keys((JSON.parse(text) as { auths: object }).auths)).toEqual([registry.host]);
    await pullWith(text);
    await expectNoLeaks(runId);
  });

  it("the DOCKER_AUTH_CONFIG in config.toml's runner environment pulls the image", async () => {
    const config = parse(readFileSync(join(outDir, "config.toml"), "utf8")) as { runners: Array<{ environment: string[]; docker: { image: string } }> };
    expect(config.runners[0]!.docker.image).toBe(image);
    const entry = config.runners[0]!.environment.find((e) => e.startsWith("DOCKER_AUTH_CONFIG="));
    await pullWith(entry!.slice("DOCKER_AUTH_CONFIG=".length));
    await expectNoLeaks(runId);
  });
});
