import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { runInProcess } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { dockerAuthConfigFor, registryFetch } from "../support/registry.js";
import { writeProjectFile } from "../support/project-files.js";

/**
 * `build --push` reads credentials the way the docker CLI does: `$DOCKER_CONFIG/config.json`
 * when DOCKER_CONFIG is set. $HOME/.docker holds a wrong password, so the push and the
 * up-to-date check against the authenticated registry only pass with DOCKER_CONFIG's.
 */
describe("DOCKER_CONFIG for runner-kit's own pushes", () => {
  const registry = inject("registry");
  const runId = newRunId();
  const repo = `rk-dc-${runId}/app`;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rk-docker-config-"));
    writeProjectFile(dir, ".docker/config.json", dockerAuthConfigFor(registry, "not-the-password"));
    writeProjectFile(dir, "ci-docker/config.json", dockerAuthConfigFor(registry));
    writeProjectFile(dir, "project/runner-kit.yaml", `registry: ${registry.host}/rk-dc-${runId}\ntemplates: templates\nimages:\n  app:\n    template: app\n    context: ctx\n    tags: [v1]\n`);
    writeProjectFile(dir, "project/templates/app/Dockerfile.hbs", `FROM busybox:latest\nLABEL run=${runId}\n`);
    writeProjectFile(dir, "project/ctx/.keep", "");
  });

  afterAll(async () => {
    await (await docker()).getImage(`${registry.host}/${repo}:v1`).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (env: NodeJS.ProcessEnv) =>
    runInProcess(["build", "--push"], {
      cwd: join(dir, "project"),
      env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: "1", RUNNER_KIT_RUN_ID: runId, ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}), ...env },
    });

  it("pushes with $DOCKER_CONFIG/config.json's credentials, and checks up-to-date with them", async () => {
    const pushed = await run({ DOCKER_CONFIG: join(dir, "ci-docker") });
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stderr).toContain(`Authenticating with credentials from ${join(dir, "ci-docker", "config.json")}`);
    const head = await registryFetch(registry, `/v2/${repo}/manifests/v1`, { method: "HEAD", headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json" } });
    expect(head.status).toBe(200);

    const again = await run({ DOCKER_CONFIG: join(dir, "ci-docker") });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/up-to-date/);
  });

  it("without DOCKER_CONFIG, $HOME/.docker/config.json is the one read (and its wrong password is refused)", async () => {
    const r = await run({});
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Authenticating with credentials from ${join(dir, ".docker", "config.json")}`);
    expect(r.stderr).not.toContain("not-the-password");
    expect(r.stderr).toMatch(/refused|unauthorized|authentication required/i);
  });
});
