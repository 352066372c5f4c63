import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { runInProject } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { writeProjectFiles } from "../support/project-files.js";

/**
 * Defect 2 of issue 17: one image's smoke job that cannot pull its service image fails that
 * image only. `build --smoke` still builds and smoke-tests the other image and prints the
 * summary with both (exit 1). The service image is in the authenticated test registry and
 * the project has no credentials for it, so the pull is refused at once (not retried).
 */
describe("build --smoke: a smoke job that cannot pull a service fails only its image", () => {
  const registry = inject("registry");
  const runId = newRunId();
  const repo = `${registry.host}/rk-smk-${runId}`;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rk-smoke-isolation-"));
    const template = `FROM busybox:latest\nLABEL io.runner-kit.test-run=${runId}\n`;
    writeProjectFiles(dir, {
      "runner-kit.yaml":
        `registry: ${repo}\ntemplates: templates\nimages:\n` +
        `  needs-service:\n    template: app\n    tags: [v1]\n    smoke: smoke/needs-service.yml\n` +
        `  plain:\n    template: app\n    tags: [v1]\n    smoke: smoke/plain.yml\n`,
      "templates/app/Dockerfile.hbs": template,
      "smoke/needs-service.yml": `check:\n  services:\n    - name: ${registry.host}/rk-smk-none/absent:1\n      alias: absent\n  script:\n    - echo never-runs\n`,
      "smoke/plain.yml": "check:\n  script:\n    - echo smoke-of-plain-ran\n",
    });
  });

  afterAll(async () => {
    const d = await docker();
    for (const image of ["needs-service", "plain"]) await d.getImage(`${repo}/${image}:v1`).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("the other image is built and smoke-tested, the summary lists both, exit 1 naming the one that failed", async () => {
    const r = await runInProject(dir, runId, ["build", "--smoke"]);
    expect(r.code, r.stderr).toBe(1);
    const rows = r.stdout.split("\n");
    expect(rows[0]).toMatch(/^IMAGE\s+TAGS\s+STATUS\s+SMOKE\s+DURATION\s+DIGEST$/);
    expect(rows.find((l) => l.startsWith(`${repo}/plain `))).toMatch(/\s+v1\s+built\s+passed\s+/);
    expect(rows.find((l) => l.startsWith(`${repo}/needs-service `))).toMatch(/\s+v1\s+failed\s+failed\s+[\d.]+ s\s+-$/);
    expect(r.stdout).toMatch(new RegExp(`^needs-service: smoke job smoke/needs-service\\.yml failed: cannot pull the image ${registry.host.replace(/\./g, "\\.")}/rk-smk-none/absent:1`, "m"));
    expect(r.stderr).toContain("smoke-of-plain-ran");
    expect(r.stderr).toMatch(/^runner-kit: 1 of 2 images failed: needs-service\./m);
    await expectNoLeaks(runId);
  });
});
