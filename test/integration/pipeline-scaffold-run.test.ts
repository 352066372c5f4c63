/**
 * Issue 16 item 5, the end-to-end proof: a fresh `init` scaffold in a temporary directory
 * outside this repository (no package.json), its parent `.gitlab-ci.yml` run by `ci --run`
 * as a privileged runner with the `/certs/client` volume would run it (this host refuses
 * privileged containers: --emulate-privileged). Jobs run in the runner-kit image of this
 * checkout (`install: image`). The generate job writes the child pipeline; the trigger runs
 * it: each image job builds, smoke-tests and pushes in its own docker:dind service, the
 * publish job merges the lock and writes config.toml. How the scaffold is set up for this
 * machine (registry address, mirrored base, tiny templates): test/support/scaffold-pipeline.ts.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse } from "yaml";
import { pipelineGraph } from "../../src/pipeline/run/graph.js";
import { readPipeline } from "../../src/pipeline/run/model.js";
import { runInProcess } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { expectImageJobReports, expectPublished, type Lock } from "../support/published.js";
import type { TestRegistry } from "../support/registry.js";
import { removeScaffold, scaffoldPipeline, scaffoldPlace, type ScaffoldPipeline } from "../support/scaffold-pipeline.js";
import { uniqueRunId } from "../fixtures/smoke/helpers.js";

describe("a fresh scaffold's pipeline, run end to end here with ci --run", () => {
  const place = scaffoldPlace("scaffold-run");
  const { project, runId, namespace } = place;
  let s: ScaffoldPipeline | undefined;
  let registry: TestRegistry;
  /** The registry as the dind daemons (and the host) reach it: gateway:port. */
  let inside: string;
  let env: NodeJS.ProcessEnv;

  afterAll(async () => removeScaffold(await docker(), place, s));

  beforeAll(async () => {
    s = await scaffoldPipeline(await docker(), { project, runId, namespace, registryImage: inject("fixtures").registry, registryRunId: uniqueRunId("scaffold-registry") });
    ({ registry, inside, env } = s);
  });

  const runParent = (artifacts: string) =>
    runInProcess(["ci", "--run", ".gitlab-ci.yml", "--runner-config", "config.toml", "--emulate-privileged", "--artifacts-dir", artifacts, "--junit", `${artifacts}.xml`], {
      cwd: project,
      env,
    });

  it("generates the child pipeline, builds, smoke-tests and pushes every variant in dind, and publishes the lock and config.toml", async () => {
    const r = await runParent("run1");
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(`${r.stdout}\n${r.stderr}`).not.toContain(registry.password);
    expect(r.stderr).toContain("[generate] $ runner-kit render --check");

    // The child pipeline from the generate job is the one runner-kit writes here.
    const fromJob = readFileSync(join(project, "run1", "generate", "child-pipeline.yml"), "utf8");
    const here = await runInProcess(["ci", "--out", "here.yml"], { cwd: project, env });
    expect(here.code, here.stderr).toBe(0);
    expect(fromJob).toBe(readFileSync(join(project, "here.yml"), "utf8"));
    const child = pipelineGraph(readPipeline(fromJob, "child-pipeline.yml"));
    const builds = child.jobs.filter((j) => j.name.startsWith("build:")).map((j) => j.name);
    expect(builds.sort()).toEqual(["build:data/job-base", "build:job-base", "build:runner-aws"]);
    for (const id of ["data/job-base", "job-base", "runner-aws"]) expect(r.stderr).toMatch(new RegExp(`^\\[build-images > build:${id}\\] [^\\n]*${id}: built and pushed in `, "m"));

    // Every job of both pipelines passed, and the JUnit report lists each of them.
    const junit = readFileSync(join(project, "run1.xml"), "utf8");
    for (const job of ["generate", "build-images", ...child.jobs.map((j) => `build-images > ${j.name}`)]) {
      expect(r.stdout).toMatch(new RegExp(`^${job.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s+\\S+\\s+passed\\s`, "m"));
      expect(junit).toContain(`<testcase name="${job.replace(/>/g, "&gt;")}"`);
    }

    // The merged lock (the publish job's artifact) matches the registry; config.toml pins by digest; each image job's JUnit.
    const published = join(project, "run1", "build-images", "runner-kit_publish");
    await expectPublished(published, registry, inside, namespace);
    expectImageJobReports(join(project, "run1", "build-images"));
    writeFileSync(join(project, "runner-kit.lock"), readFileSync(join(published, "runner-kit.lock")));
    await expectNoLeaks(runId);
  });

  it("a second run with the lock committed and nothing changed builds nothing: every image is up to date in the registry", async () => {
    const first = JSON.parse(readFileSync(join(project, "runner-kit.lock"), "utf8")) as Lock;
    const r = await runParent("run2");
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const child = parse(readFileSync(join(project, "run2", "generate", "child-pipeline.yml"), "utf8")) as Record<string, { script?: string[] }>;
    for (const id of Object.keys(first.variants)) {
      expect(child[`build:${id}`]!.script![0]).toContain("--locked");
      expect(r.stderr).toContain(`[build-images > build:${id}] [${id}] up to date in ${inside} (${first.variants[id]!.digest})`);
    }
    expect(r.stderr).not.toContain("built and pushed");
    const second = JSON.parse(readFileSync(join(project, "run2", "build-images", "runner-kit_publish", "runner-kit.lock"), "utf8")) as Lock;
    for (const [id, entry] of Object.entries(first.variants)) expect(second.variants[id]!.digest, id).toBe(entry.digest);
    await expectNoLeaks(runId);
  });
});
