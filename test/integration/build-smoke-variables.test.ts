/**
 * `build --smoke --variable … --env-file …`: the smoke job of a freshly built image gets the
 * CI/CD variables, masked values never reach the output, and the flags without --smoke are a
 * usage error.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { runBin } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { writeProjectFile } from "../support/project-files.js";
import { removeManagedResources } from "../support/resources.js";

describe("build --smoke with CI/CD variables", () => {
  const runId = newRunId();
  const repo = `runner-kit-test-build-vars-${runId}`.toLowerCase();
  const env = { RUNNER_KIT_RUN_ID: runId, NO_COLOR: "1" };
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rk-build-vars-"));
    const write = (path: string, text: string) => writeProjectFile(dir, path, text);
    write("runner-kit.yaml", [`registry: localhost:5999/${repo}`, "templates: templates", "images:", "  hello:", "    template: hello", "    tags: [v1]", "    smoke: smoke/hello.gitlab-ci.yml", ""].join("\n"));
    write("templates/hello/Dockerfile.hbs", "FROM busybox:latest\nRUN echo built > /built\n");
    write("smoke/hello.gitlab-ci.yml", ["hello:", "  image: placeholder", "  variables: { GREETING: from-the-job-file }", "  script:", '    - echo "greeting=$GREETING where=$WHERE"', '    - test "$DEPLOY_TOKEN" = tok-3xyz9 && echo token-arrived', ""].join("\n"));
    write("ci.env", "WHERE=from-env-file\nDEPLOY_TOKEN=tok-3xyz9\n");
    const r = await runBin(["render"], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    const d = await docker();
    await removeManagedResources(d, runId);
    const images = await d.listImages({ filters: { reference: [`localhost:5999/${repo}/*`] } });
    for (const image of images) await d.getImage(image.Id).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives the smoke job the flags' and the env file's variables over the job file's, masked", async () => {
    const r = await runBin(["build", "hello", "--smoke", "--variable", "GREETING=from-flag", "--env-file", "ci.env"], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("greeting=from-flag where=from-env-file");
    expect(r.stderr).toContain("token-arrived");
    expect(`${r.stdout}${r.stderr}`).not.toContain("tok-3xyz9");
    await expectNoLeaks(runId);
  });

  it("refuses --variable without --smoke: exit 2, one paragraph", async () => {
    const r = await runBin(["build", "hello", "--variable", "A=1"], { cwd: dir, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--variable and --env-file give the smoke jobs variables, so they need --smoke");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
