import { writeProjectFile } from "../support/project-files.js";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse as parseToml } from "smol-toml";
import { parse } from "yaml";
import { newRunId } from "../../src/engine/labels.js";
import { removeManagedResources } from "../support/resources.js";
import { BIN, runBin } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { dockerAuthConfigFor, registryFetch } from "../support/registry.js";

/**
 * The pipeline cannot silently rot: run what of it can run here — the generate step, one
 * generated image job's own script line (with the pipeline's DOCKER_AUTH_CONFIG line, but
 * against the local engine instead of docker:dind), and the publish job — on a small real
 * project, against the authenticated test registry.
 */
describe("the generated pipeline, run here", () => {
  const registry = inject("registry");
  const runId = newRunId();
  const namespace = `pipeline-${runId}`;
  let dir: string;
  const write = (path: string, text: string) => writeProjectFile(dir, path, text);
  const jobEnv = {
    CI_REGISTRY: registry.host,
    CI_REGISTRY_USER: registry.username,
    CI_REGISTRY_PASSWORD: registry.password,
    RUNNER_KIT_RUN_ID: runId,
    REGISTRY_PASSWORD: registry.password,
  };
  /** A pipeline script line as the job would run it (ci.install: image), with runner-kit from this checkout. */
  const runLine = (lines: string[]) =>
    execa("bash", ["-c", ["set -eo pipefail", ...lines].join("\n").replace(/^runner-kit /gm, `node ${BIN} `)], {
      cwd: dir,
      env: { ...jobEnv, NO_COLOR: "1" },
      reject: false,
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rk-pipeline-"));
    write(
      "runner-kit.yaml",
      [
        `registry: ${registry.host}/${namespace}`,
        "templates: templates",
        "images:",
        "  hello:",
        "    template: hello",
        "    args: { GREETING: hello-from-pipeline }",
        "    tags: [v1]",
        "    smoke: smoke/hello.gitlab-ci.yml",
        "  broken:",
        "    template: hello",
        "    tags: [v1]",
        "    smoke: smoke/broken.gitlab-ci.yml",
        "runner:",
        "  url: https://gitlab.example.com",
        "  image: hello",
        "  registries:",
        `    - host: ${registry.host}`,
        `      username: ${registry.username}`,
        "      password_env: REGISTRY_PASSWORD",
        "",
      ].join("\n"),
    );
    write("templates/hello/Dockerfile.hbs", 'FROM busybox:latest\nARG GREETING=unset\nRUN echo "$GREETING" > /greeting\n');
    write(
      "smoke/hello.gitlab-ci.yml",
      [
        "hello:",
        "  image: placeholder",
        "  services:",
        "    - name: busybox:latest",
        "      alias: web",
        '      command: ["httpd", "-f", "-p", "8080", "-h", "/etc"]',
        "  script:",
        "    - grep -q hello-from-pipeline /greeting",
        "    - wget -q -O /dev/null http://web:8080/hostname",
        "",
      ].join("\n"),
    );
    write("smoke/broken.gitlab-ci.yml", "broken:\n  image: placeholder\n  script:\n    - echo about to fail\n    - exit 3\n");
    // The developer's side: render and build once, committing the lock the jobs check.
    for (const argv of [["render"], ["build"]]) {
      const r = await runBin(argv, { cwd: dir, env: jobEnv });
      expect(r.code, `${argv.join(" ")}: ${r.stderr}`).toBe(0);
    }
  });

  afterAll(async () => {
    const d = await docker();
    await removeManagedResources(d, runId);
    const images = await d.listImages({ filters: { reference: [`${registry.host}/${namespace}/*`] } });
    for (const image of images) await d.getImage(image.Id).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("generates, builds + smoke-tests + pushes one job's image, and publishes lock and config", async () => {
    // generate stage (the repository's .gitlab-ci.yml runs `runner-kit ci --out child-pipeline.yml`)
    const generated = await runLine(["runner-kit ci --out child-pipeline.yml"]);
    expect(generated.exitCode, generated.stderr).toBe(0);
    const child = parse(readFileSync(join(dir, "child-pipeline.yml"), "utf8")) as Record<string, any>;
    const job = child["build:hello"];
    expect(job.script).toHaveLength(1);

    // the image job: its DOCKER_AUTH_CONFIG line, then its command, on the local engine
    const authLine = (child.default.before_script as string[]).find((l) => l.includes("DOCKER_AUTH_CONFIG"))!;
    const built = await runLine([authLine, ...job.script]);
    const output = `${built.stdout}\n${built.stderr}`;
    expect(built.exitCode, output).toBe(0);
    expect(output).not.toContain(registry.password);
    // Built by the developer step already (same content hash): smoke-tested, then pushed.
    expect(built.stdout).toMatch(/hello\s+v1\s+up-to-date\s+passed\s+[\d.]+ s\s+sha256:/);

    const fragment = JSON.parse(readFileSync(join(dir, job.artifacts.paths[0]), "utf8"));
    const digest = fragment.variants.hello.digest as string;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const manifest = await registryFetch(registry, `/v2/${namespace}/hello/manifests/v1`, {
      headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json" },
    });
    expect(manifest.headers.get("docker-content-digest")).toBe(digest);
    const junit = readFileSync(join(dir, job.artifacts.reports.junit), "utf8");
    expect(junit).toMatch(/<testsuites name="runner-kit smoke" tests="1" failures="0"/);

    // publish stage: merge the fragments, write the runner configuration pinned by digest
    const published = await runLine(child["runner-kit:publish"].script);
    expect(published.exitCode, published.stderr).toBe(0);
    const lock = JSON.parse(readFileSync(join(dir, "runner-kit.lock"), "utf8"));
    expect(lock.variants.hello.digest).toBe(digest);
    const toml = parseToml(readFileSync(join(dir, "runner", "config.toml"), "utf8")) as any;
    expect(toml.runners[0].docker.image).toBe(`${registry.host}/${namespace}/hello@${digest}`);
    expect(statSync(join(dir, "runner", "config.toml")).mode & 0o777).toBe(0o600);
    await expectNoLeaks(runId);
  });

  it("never pushes an image whose smoke job fails, and exits 1", async () => {
    const env = { ...jobEnv, DOCKER_AUTH_CONFIG: dockerAuthConfigFor(registry) };
    const r = await runBin(["build", "broken", "--push", "--smoke", "--junit", "broken.xml"], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/broken\s+v1\s+failed\s+failed/);
    expect(r.stdout).toContain("broken: smoke job broken failed");
    expect(r.stderr).toMatch(/1 of 1 image failed: broken/);
    const manifest = await registryFetch(registry, `/v2/${namespace}/broken/manifests/v1`);
    expect(manifest.status).toBe(404);
    expect(readFileSync(join(dir, "broken.xml"), "utf8")).toMatch(/failures="1"[\s\S]*exit code 3/);
    await expectNoLeaks(runId);
  });
});
