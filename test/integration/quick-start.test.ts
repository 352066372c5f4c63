import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { parse as parseToml } from "smol-toml";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse } from "yaml";
import { newRunId } from "../../src/engine/labels.js";
import { removeManagedResources } from "../support/resources.js";
import { docker } from "../support/docker.js";
import { ensureImageOr } from "../support/images.js";
import { expectNoLeaks } from "../support/leaks.js";
import { dockerAuthConfigFor, registryFetch } from "../support/registry.js";

const ROOT = join(import.meta.dirname, "..", "..");

/**
 * The README's Install and Quick start, as written there, outside this repository: runner-kit
 * installed with `npm link` (into a temporary global prefix, so the machine is not changed;
 * `npm ci && npm run build` already ran for the test suite), then steps 1–6 in a temporary
 * directory with the test registry as `registry:` and a stand-in `gitlab-runner` (no GitLab
 * here). Docker Hub is unreachable here, so step 3 adds the README's Hub-less build arg.
 */
describe("the README's Quick start, outside this repository", () => {
  const registry = inject("registry");
  const runId = newRunId();
  const namespace = `quick-start-${runId}`;
  const scratch = mkdtempSync(join(tmpdir(), "rk-quick-start-"));
  const prefix = join(scratch, "npm-prefix");
  const bin = join(scratch, "bin");
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  let env: NodeJS.ProcessEnv;
  const sh = (command: string, cwd: string, extra: NodeJS.ProcessEnv = {}) =>
    execa("sh", ["-c", command], { cwd, env: { ...env, ...extra }, reject: false, timeout: 900_000 });

  beforeAll(async () => {
    // The scaffold's runner section runs a redis:7 service with every job, and build --smoke
    // applies it as the fleet would: pulled where Docker Hub answers, else the redis fixture
    // stands in (tagged like a seeded base image and kept).
    await ensureImageOr("redis:7", inject("fixtures").redis);
    for (const line of [
      "npm ci && npm run build && npm link",
      "runner-kit init platform-images && cd platform-images",
      "runner-kit render && runner-kit lint",
      "runner-kit build --push --smoke",
      "runner-kit config --out runner",
      "RUNNER_TOKEN=glrt-… sh runner/register/register.sh",
      "runner-kit ci --out child-pipeline.yml",
    ]) {
      expect(readme).toContain(line);
    }
    expect(readme).toContain("add `--build-arg RUNNER_BASE_IMAGE=debian:bookworm`");
    mkdirSync(bin, { recursive: true });
    // A stand-in gitlab-runner that records its arguments, one per line.
    writeFileSync(join(bin, "gitlab-runner"), '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
    chmodSync(join(bin, "gitlab-runner"), 0o755);
    env = {
      PATH: `${join(prefix, "bin")}:${bin}:${process.env.PATH}`,
      HOME: process.env.HOME,
      NO_COLOR: "1",
      RUNNER_KIT_RUN_ID: runId,
      DOCKER_AUTH_CONFIG: dockerAuthConfigFor(registry),
    };
    const link = await sh("npm link --no-audit --no-fund", ROOT, { npm_config_prefix: prefix });
    expect(link.exitCode, link.stderr).toBe(0);
  });

  afterAll(async () => {
    const d = await docker();
    await removeManagedResources(d, runId);
    const images = await d.listImages({ filters: { reference: [`${registry.host}/${namespace}/*`, `${registry.host}/${namespace}/*/*`] } });
    for (const image of images) await d.getImage(image.Id).remove({ force: true }).catch(() => {});
    rmSync(scratch, { recursive: true, force: true });
  });

  it("scaffolds, renders, builds + smoke-tests + pushes, configures, registers and generates the pipeline", async () => {
    const which = await sh("command -v runner-kit", scratch);
    expect(which.stdout).toBe(join(prefix, "bin", "runner-kit"));

    // 1. scaffold, then set registry: (and ci.image) as the comment says
    const init = await sh("runner-kit init platform-images", scratch);
    expect(init.exitCode, init.stderr).toBe(0);
    const dir = join(scratch, "platform-images");
    const project = join(dir, "runner-kit.yaml");
    writeFileSync(project, readFileSync(project, "utf8").replaceAll("registry.example.com/platform", `${registry.host}/${namespace}`));

    // 2. render and lint
    const render = await sh("runner-kit render && runner-kit lint", dir);
    expect(render.exitCode, `${render.stdout}\n${render.stderr}`).toBe(0);

    // 3. build, smoke-test, push (the Hub-less build arg goes to runner-aws only)
    const build = await sh("runner-kit build --push --smoke --build-arg RUNNER_BASE_IMAGE=debian:bookworm", dir);
    expect(build.exitCode, `${build.stdout}\n${build.stderr}`).toBe(0);
    expect(`${build.stdout}\n${build.stderr}`).not.toContain(registry.password);
    const lock = JSON.parse(readFileSync(join(dir, "runner-kit.lock"), "utf8")) as { variants: Record<string, { repository: string; digest: string }> };
    expect(Object.keys(lock.variants).sort()).toEqual(["data/job-base", "job-base", "runner-aws"]);
    for (const [id, entry] of Object.entries(lock.variants)) {
      const manifest = await registryFetch(registry, `/v2/${namespace}/${id}/manifests/latest`, {
        headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json" },
      });
      expect(manifest.headers.get("docker-content-digest"), id).toBe(entry.digest);
    }

    // 4. config.toml pinned by digest
    const config = await sh("runner-kit config --out runner", dir);
    expect(config.exitCode, config.stderr).toBe(0);
    const toml = parseToml(readFileSync(join(dir, "runner", "config.toml"), "utf8")) as { runners: { docker: { image: string } }[] };
    expect(toml.runners[0]!.docker.image).toBe(`${lock.variants["data/job-base"]!.repository}@${lock.variants["data/job-base"]!.digest}`);

    // 5. register (the stand-in gitlab-runner prints what it was given)
    const register = await sh("RUNNER_TOKEN=glrt-quick-start sh runner/register/register.sh", dir);
    expect(register.exitCode, register.stderr).toBe(0);
    const registered = register.stdout.split("\n");
    expect(registered[registered.indexOf("--token") + 1]).toBe("glrt-quick-start");
    expect(registered[registered.indexOf("--docker-image") + 1]).toBe(toml.runners[0]!.docker.image);

    // 6. the child pipeline the scaffold's .gitlab-ci.yml generates: locked now that the lock exists
    const ci = await sh("runner-kit ci --out child-pipeline.yml", dir);
    expect(ci.exitCode, ci.stderr).toBe(0);
    const child = parse(readFileSync(join(dir, "child-pipeline.yml"), "utf8")) as Record<string, any>;
    for (const id of Object.keys(lock.variants)) expect(child[`build:${id}`].script[0]).toMatch(/^runner-kit build .* --locked /);
    expect(JSON.stringify(child)).not.toMatch(/npm (ci|run build)/);
    await expectNoLeaks(runId);
  });
});
