import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { runBin } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { writeProjectFiles } from "../support/project-files.js";
import { dockerAuthConfigFor } from "../support/registry.js";

/**
 * A credential helper that fails is only a warning (GitLab Runner's behaviour), but when the
 * registry then refuses the push or a private FROM pull, the final error paragraph names the
 * helper and why — on the real registry, through the daemon's own push and pull.
 */
describe("a refused push or pull names the credential helper that failed", () => {
  const registry = inject("registry");
  const runId = newRunId();
  const prefix = `${registry.host}/rk-${runId}`;
  let dir: string;
  const env = (auth: string): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: dir,
    RUNNER_KIT_RUN_ID: runId,
    DOCKER_AUTH_CONFIG: auth,
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
  });
  const missingHelper = () => JSON.stringify({ credHelpers: { [registry.host]: "rk-not-installed" } });
  const finalParagraph = (stderr: string) => stderr.trim().split("\n").filter((l) => l.startsWith("runner-kit:") && !l.startsWith("runner-kit: warning:"));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rk-helper-refused-"));
    writeProjectFiles(dir, {
      "runner-kit.yaml": [`registry: ${prefix}`, "templates: templates", "images:", "  base:", "    template: base", "    tags: [v1]", "  app:", "    template: app", "    tags: [v1]", ""].join("\n"),
      "templates/base/Dockerfile.hbs": `FROM busybox:latest\nRUN echo base-${runId} > /base\n`,
      "templates/app/Dockerfile.hbs": `FROM ${prefix}/base:v1\nRUN cat /base\n`,
    });
    expect((await runBin(["render"], { cwd: dir, env: env(dockerAuthConfigFor(registry)) })).code).toBe(0);
    // The base, private in the registry, then gone locally so the app build has to pull it.
    const pushed = await runBin(["build", "base", "--push"], { cwd: dir, env: env(dockerAuthConfigFor(registry)) });
    expect(pushed.code, pushed.stderr).toBe(0);
    await (await docker()).getImage(`${prefix}/base:v1`).remove({ force: true });
  }, 240_000);

  afterAll(async () => {
    const d = await docker();
    for (const ref of [`${prefix}/app:v1`, `${prefix}/base:v1`]) await d.getImage(ref).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("a private FROM pull refused after the helper was not found on PATH", async () => {
    const r = await runBin(["build", "app"], { cwd: dir, env: env(missingHelper()) });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/runner-kit: warning: Failed to resolve credentials from DOCKER_AUTH_CONFIG: docker-credential-rk-not-installed was not found on PATH/);
    const final = finalParagraph(r.stderr);
    expect(final).toHaveLength(1);
    expect(final[0]).toMatch(
      /^runner-kit: 1 of 1 image failed: app; the registry refused app after a credential helper had failed: credentials from DOCKER_AUTH_CONFIG were skipped because docker-credential-rk-not-installed was not found on PATH \(install docker-credential-rk-not-installed on the PATH runner-kit runs with, or fix the helper name, or remove it from the credHelpers\/credsStore of DOCKER_AUTH_CONFIG and give the credentials another way\)\. The summary above shows each failure\.$/,
    );
    expect(`${r.stdout}${r.stderr}`).not.toContain(registry.password);
    await expectNoLeaks(runId);
  }, 240_000);

  it("a push refused after the helper was not found on PATH (--force: straight to the daemon's push)", async () => {
    const r = await runBin(["build", "base", "--push", "--force"], { cwd: dir, env: env(missingHelper()) });
    expect(r.code, r.stderr).toBe(1);
    const final = finalParagraph(r.stderr);
    expect(final).toHaveLength(1);
    expect(final[0]).toMatch(/^runner-kit: 1 of 1 image failed: base; the registry refused base after a credential helper had failed: .*docker-credential-rk-not-installed was not found on PATH/);
    expect(r.stdout).toMatch(/; a credential helper had failed before: credentials from DOCKER_AUTH_CONFIG were skipped because docker-credential-rk-not-installed/);
    expect(r.stdout).toMatch(new RegExp(`base: the registry ${registry.host.replace(/[.]/g, "\\.")} refused no credentials \\(none found for this registry\\) when pushing`));
    await expectNoLeaks(runId);
  }, 240_000);

  it("with working credentials the same build passes and nothing is said about helpers", async () => {
    const r = await runBin(["build", "app"], { cwd: dir, env: env(dockerAuthConfigFor(registry)) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/credential helper/);
    await expectNoLeaks(runId);
  }, 240_000);
});
