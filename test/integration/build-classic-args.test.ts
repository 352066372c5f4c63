import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { runInProject } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { writeProjectFiles } from "../support/project-files.js";

/**
 * The classic builder warns "One or more build-args [X] were not consumed" for an arg
 * declared only in a stage the target leaves unbuilt. runner-kit sends only declared args
 * (so an arg no stage declares never reaches the daemon) and drops that warning.
 */
describe("build --builder classic: no 'build-args were not consumed' warning", () => {
  const runId = newRunId();
  const repository = `runner-kit-test/classic-args-${runId}`;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rk-classic-args-"));
    writeProjectFiles(dir, {
      "runner-kit.yaml":
        `registry: runner-kit-test\ntemplates: templates\nimages:\n  classic-args-${runId}:\n    template: app\n    target: one\n    tags: [v1]\n` +
        `    args: { ONLY_TWO: "2", ONLY_ONE: "1" }\n`,
      "templates/app/Dockerfile.hbs": `FROM busybox:latest AS one\nARG ONLY_ONE\nRUN echo "one=$ONLY_ONE run=${runId}"\nFROM busybox:latest AS two\nARG ONLY_TWO\nRUN echo "two=$ONLY_TWO"\n`,
    });
  });
  afterAll(async () => {
    await (await docker()).getImage(`${repository}:v1`).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("builds the target stage with its arg, and says nothing about the other stage's", async () => {
    const r = await runInProject(dir, runId, ["build", "--builder", "classic", "--progress", "plain"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`one=1 run=${runId}`);
    expect(r.stderr).not.toContain("two=2");
    expect(r.stderr).not.toMatch(/were not consumed/);
  });
});
