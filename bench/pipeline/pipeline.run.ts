// bench/pipeline — issue 16's speed row: the scaffold's child pipeline run locally
// (`runner-kit ci --run child-pipeline.yml`: the three image jobs, each building, smoke-testing
// and pushing in its own docker:dind service, then the publish job) against
// `runner-kit build --push --smoke --force` of the same project on the same daemon. Goal ≤ 1.3×.
// The floor: the same pipeline with every script `true` and no artifacts — the job containers
// and their dind services alone, which no pipeline of these jobs can go below. Also the dind
// service's start-up per job, read from the job logs.
// The project is test/support/scaffold-pipeline.ts's (the end-to-end test's): a fresh scaffold
// with tiny busybox templates and a registry the dind daemons reach. Each round pushes to a new
// namespace, so neither side finds its images up to date. Writes its rows as JSON to $BENCH_OUT.
// Env: BENCH_PIPELINE_ROUNDS (default 3), pairs taken in alternating order.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, expect, inject, it } from "vitest";
import { parseDocument, isMap } from "yaml";
import { BIN } from "../../test/support/cli.js";
import { docker } from "../../test/support/docker.js";
import { dockerAuthConfigFor, stopRegistry } from "../../test/support/registry.js";
import { removeManagedResources } from "../../test/support/resources.js";
import { pointProjectAt, scaffoldPipeline, type ScaffoldPipeline } from "../../test/support/scaffold-pipeline.js";
import { uniqueRunId } from "../../test/fixtures/smoke/helpers.js";

const rounds = Number(process.env.BENCH_PIPELINE_ROUNDS ?? 3);
const root = mkdtempSync(join(tmpdir(), "rk-bench-pipeline-"));
const project = join(root, "platform-images");
const runId = uniqueRunId("bench-pipeline");
let s: ScaffoldPipeline | undefined;
const rows: object[] = [];

const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
};

async function timed(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ ms: number; output: string }> {
  const start = process.hrtime.bigint();
  const r = await execa(process.execPath, [BIN, ...args], { cwd: project, env: { ...s!.env, NO_COLOR: "1", ...env }, reject: false, all: true });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.exitCode !== 0) throw new Error(`runner-kit ${args.join(" ")} exited ${r.exitCode}:\n${(r.all ?? "").slice(-4000)}`);
  return { ms, output: r.all ?? "" };
}

const ci = async (file: string) => timed(["ci", "--run", file, "--runner-config", "config.toml", "--emulate-privileged"]);

/** The child pipeline for namespace ns, and its floor: every job's script `true`, no artifacts. */
async function childPipelines(ns: string): Promise<void> {
  pointProjectAt(s!, s!.inside, ns);
  await timed(["ci", "--out", "child-pipeline.yml"]);
  const doc = parseDocument(readFileSync(join(project, "child-pipeline.yml"), "utf8"));
  for (const item of (doc.contents as { items: { key: { value: string }; value: unknown }[] }).items) {
    if (["stages", "variables", "default"].includes(item.key.value) || !isMap(item.value)) continue;
    item.value.set("script", doc.createNode(["true"]));
    item.value.delete("artifacts");
  }
  writeFileSync(join(project, "floor-pipeline.yml"), doc.toString());
}

afterAll(async () => {
  const d = await docker();
  await removeManagedResources(d, runId);
  if (s) {
    const images = await d.listImages({ filters: { reference: [`${s.registry.host}/*/*`, `${s.registry.host}/*/*/*`] } });
    for (const image of images) await d.getImage(image.Id).remove({ force: true }).catch(() => {});
    await stopRegistry(d, s.registry);
  }
  rmSync(root, { recursive: true, force: true });
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, JSON.stringify(rows, null, 2));
});

it("the scaffold's child pipeline via ci --run vs build --push --smoke of the same project", async () => {
  s = await scaffoldPipeline(await docker(), { project, runId, namespace: "bench-setup", registryImage: inject("fixtures").registry, registryRunId: uniqueRunId("bench-registry") });
  const pipeline: number[] = [];
  const build: number[] = [];
  const floor: number[] = [];
  const dindStart: number[] = [];
  const runPipeline = async (i: number) => {
    await childPipelines(`bench-ci-${i}`);
    const r = await ci("child-pipeline.yml");
    pipeline.push(r.ms);
    for (const m of r.output.matchAll(/Service docker:27-dind is ready on port \d+ after (\d+\.\d+) s/g)) dindStart.push(Number(m[1]) * 1000);
    floor.push((await ci("floor-pipeline.yml")).ms);
  };
  const runBuild = async (i: number) => {
    pointProjectAt(s!, s!.registry.host, `bench-build-${i}`);
    // The login the pipeline's jobs make from RUNNER_KIT_REGISTRY_*, given as a developer would.
    build.push((await timed(["build", "--push", "--smoke", "--force"], { DOCKER_AUTH_CONFIG: dockerAuthConfigFor(s!.registry) })).ms);
    // Its lock would make the next child pipeline check --locked against another registry address.
    rmSync(join(project, "runner-kit.lock"), { force: true });
  };
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      await runPipeline(i);
      await runBuild(i);
    } else {
      await runBuild(i);
      await runPipeline(i);
    }
  }
  const [p, b, f] = [median(pipeline), median(build), median(floor)];
  const jobs = availableParallelism();
  rows.push({
    name: `pipeline: the scaffold's child pipeline (3 image jobs in dind, ${jobs} at a time, + publish) via ci --run vs build --push --smoke`,
    runnerKitMs: Math.round(p), peerMs: Math.round(b), ratio: p / b, goal: 1.3, runs: { pipeline, build },
  });
  rows.push({ name: "  floor: the same pipeline, every script `true` (job containers + dind services)", runnerKitMs: Math.round(f), peerMs: Math.round(b), ratio: f / b, goal: null, runs: { floor } });
  rows.push({ name: "  dind service start-up per job (median)", runnerKitMs: Math.round(median(dindStart)), peerMs: null, ratio: null, goal: null, runs: { dindStart } });
  console.error(JSON.stringify(rows, null, 2));
  expect(pipeline.length).toBe(rounds);
});
