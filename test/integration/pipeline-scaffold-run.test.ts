/**
 * The start of the end-to-end proof (issue 16 item 5): a fresh `init` scaffold in a
 * temporary directory outside this repository, its parent `.gitlab-ci.yml` run by `ci --run`
 * with the runner-kit image of this checkout as `ci.image` (`install: image`). The generate
 * job runs `render --check` and `runner-kit ci` inside that image exactly as a runner
 * would, and its artifact — the child pipeline — is the one `runner-kit ci` writes here.
 * Not yet run here: the trigger (build-images), which `ci --run` follows into the child
 * pipeline, whose image jobs need the docker:dind service privileged (issue 15) — this test
 * takes the trigger out until that runs on this machine.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { pipelineGraph } from "../../src/pipeline/run/graph.js";
import { readPipeline } from "../../src/pipeline/run/model.js";
import { projectEnv, runInProcess } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { ensureRunnerKitImage } from "../support/runner-kit-image.js";
import { uniqueRunId } from "../fixtures/smoke/helpers.js";

describe("a fresh scaffold's pipeline, run here with ci --run", () => {
  const root = mkdtempSync(join(tmpdir(), "rk-scaffold-run-"));
  const project = join(root, "platform-images");
  let image: string;
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(async () => {
    image = await ensureRunnerKitImage(await docker());
    expect((await runInProcess(["init", project])).code).toBe(0);
    // ci.image and the generate job's image: the runner-kit image of this checkout.
    for (const file of ["runner-kit.yaml", ".gitlab-ci.yml"]) {
      const path = join(project, file);
      const text = readFileSync(path, "utf8");
      const replaced = text.replace(/registry\.example\.com\/platform\/runner-kit:[^\s]+/g, image);
      expect(replaced).not.toBe(text);
      writeFileSync(path, replaced);
    }
    const parent = parseDocument(readFileSync(join(project, ".gitlab-ci.yml"), "utf8"));
    expect(parent.delete("build-images")).toBe(true);
    writeFileSync(join(project, ".gitlab-ci.yml"), parent.toString());
    const rendered = await runInProcess(["render"], { cwd: project });
    expect(rendered.code, rendered.stderr).toBe(0);
  });

  it("the generate job renders, checks and writes the same child pipeline as runner-kit here", async () => {
    const runId = uniqueRunId("scaffold-run");
    const r = await runInProcess(["ci", "--run", ".gitlab-ci.yml", "--artifacts-dir", "artifacts", "--junit", "pipeline.xml"], {
      cwd: project,
      env: projectEnv(project, runId),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("[generate] $ runner-kit render --check");
    expect(r.stdout).toMatch(/^generate\s+generate\s+passed\s/m);
    expect(r.stdout).toContain("1 job(s): 1 passed");

    const fromJob = readFileSync(join(project, "artifacts", "generate", "child-pipeline.yml"), "utf8");
    const here = await runInProcess(["ci", "--out", "here.yml"], { cwd: project, env: projectEnv(project, runId) });
    expect(here.code, here.stderr).toBe(0);
    expect(fromJob).toBe(readFileSync(join(project, "here.yml"), "utf8"));

    // The child pipeline is one ci --run accepts: its jobs, stages and needs.
    const child = pipelineGraph(readPipeline(fromJob, "child-pipeline.yml"));
    expect(child.jobs.map((j) => j.name)).toContain("runner-kit:publish");
    expect(child.jobs.filter((j) => j.name.startsWith("build:")).length).toBeGreaterThan(1);
    expect(readFileSync(join(project, "pipeline.xml"), "utf8")).toContain('<testcase name="generate" classname="generate"');
    await expectNoLeaks(runId);
  });
});
