import { writeProjectFile } from "../support/project-files.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { runBin } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { scanImage, scanText, secretForms, type SecretFinding } from "../support/secret-scan.js";
import { dockerAuthConfigFor } from "../support/registry.js";

/**
 * Credentials in play (DOCKER_AUTH_CONFIG for the authenticated registry, a private FROM,
 * a push) never reach stdout/stderr (plain, --json, --debug) nor the produced images.
 */
describe("secrets stay out of output and images", () => {
  const registry = inject("registry");
  const runId = newRunId();
  const prefix = `${registry.host}/rk-${runId}`;
  const forms = secretForms({ "registry password": registry.password }, registry.username);
  const findings: SecretFinding[] = [];
  let dir: string;

  const env = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: dir,
    RUNNER_KIT_RUN_ID: runId,
    DOCKER_AUTH_CONFIG: dockerAuthConfigFor(registry),
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
  });
  const file = (path: string, text: string) => writeProjectFile(dir, path, text);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rk-secrets-"));
    file(
      "runner-kit.yaml",
      [`registry: ${prefix}`, "templates: templates", "images:", "  base:", "    template: base", "    tags: [v1]", "  app:", "    template: app", "    tags: [v1]", ""].join("\n"),
    );
    file("templates/base/Dockerfile.hbs", "FROM busybox:latest\nRUN echo base > /base\n");
    file("templates/app/Dockerfile.hbs", `FROM ${prefix}/base:v1\nRUN cat /base\n`);
  });

  afterAll(async () => {
    const d = await docker();
    for (const ref of [`${prefix}/app:v1`, `${prefix}/base:v1`]) await d.getImage(ref).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    console.log(`secret findings: ${findings.length}`);
  });

  it("render, build --push (--json, --debug) print no credential, and the images hold none", async () => {
    expect((await runBin(["render"], { cwd: dir, env: env() })).code).toBe(0);
    const json = await runBin(["build", "--push", "--json"], { cwd: dir, env: env() });
    expect(json.code, json.stderr).toBe(0);
    findings.push(...scanText("build --push --json", `${json.stdout}\n${json.stderr}`, forms));
    // The base is now private in the registry: remove it locally so the app build pulls it with credentials.
    const d = await docker();
    await d.getImage(`${prefix}/base:v1`).remove({ force: true }).catch(() => {});
    const debug = await runBin(["--debug", "build", "--push", "--no-cache"], { cwd: dir, env: env() });
    expect(debug.code, debug.stderr).toBe(0);
    findings.push(...scanText("--debug build --push", `${debug.stdout}\n${debug.stderr}`, forms));
    for (const ref of [`${prefix}/app:v1`, `${prefix}/base:v1`]) {
      if (await d.getImage(ref).inspect().then(() => true, () => false)) findings.push(...(await scanImage(ref, forms)));
    }
    expect(await d.getImage(`${prefix}/app:v1`).inspect().then(() => true, () => false)).toBe(true);
    expect(findings).toEqual([]);
    await expectNoLeaks(runId);
  }, 240_000);

  it("a refused password fails clearly without printing it", async () => {
    const wrong = `wrong-${runId}-pw`;
    const e = { ...env(), DOCKER_AUTH_CONFIG: dockerAuthConfigFor(registry, wrong) };
    const r = await runBin(["build", "--push", "--no-cache"], { cwd: dir, env: e });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/2 of 2 images failed: base, app/);
    expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    const wrongForms = secretForms({ "refused password": wrong }, registry.username);
    findings.push(...scanText("refused password", `${r.stdout}\n${r.stderr}`, { ...forms, ...wrongForms }));
    expect(findings).toEqual([]);
    console.log(`refused password: exit ${r.code}: ${r.stderr.trim().split("\n").filter((l) => l.startsWith("runner-kit:")).join(" | ")}`);
    await expectNoLeaks(runId);
  }, 240_000);
});
