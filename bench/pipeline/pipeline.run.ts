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
// The honest floor of the pipeline's design: the same `build --push --smoke --force` on the host
// against a freshly started daemon of its own (test/support's PrivateDaemon: empty data-root,
// no base, no cache), as each image job's dind is. And a per-phase breakdown of one image job
// inside the pipeline, from the arrival time of its log lines.
// Env: BENCH_PIPELINE_ROUNDS (default 3), pairs taken in alternating order; BENCH_PIPELINE_JOBS
// (a second pipeline run per round with `--jobs N`, to compare with the default).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, expect, inject, it } from "vitest";
import { parseDocument, isMap } from "yaml";
import { BIN } from "../../test/support/cli.js";
import { docker } from "../../test/support/docker.js";
import { PrivateDaemon } from "../../test/support/private-daemon.js";
import { dockerAuthConfigFor, stopRegistry } from "../../test/support/registry.js";
import { removeManagedResources } from "../../test/support/resources.js";
import { pointProjectAt, scaffoldPipeline, type ScaffoldPipeline } from "../../test/support/scaffold-pipeline.js";
import { uniqueRunId } from "../../test/fixtures/smoke/helpers.js";
import { writeDockerCliPipeline } from "./docker-cli-pipeline.js";

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

/** A line of output and when it arrived (ms since the command started). */
type Line = { at: number; text: string };

async function timed(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ ms: number; output: string; lines: Line[] }> {
  const start = performance.now();
  const lines: Line[] = [];
  const child = execa(process.execPath, [BIN, ...args], { cwd: project, env: { ...s!.env, NO_COLOR: "1", ...env }, reject: false, all: true });
  let partial = "";
  child.all!.on("data", (chunk: Buffer) => {
    const at = performance.now() - start;
    const parts = (partial + chunk.toString()).split("\n");
    partial = parts.pop()!;
    for (const text of parts) lines.push({ at, text });
  });
  const r = await child;
  const ms = performance.now() - start;
  if (r.exitCode !== 0) throw new Error(`runner-kit ${args.join(" ")} exited ${r.exitCode}:\n${(r.all ?? "").slice(-4000)}`);
  return { ms, output: r.all ?? "", lines };
}

const ci = async (file: string, extra: string[] = []) => timed(["ci", "--run", file, "--runner-config", "config.toml", "--emulate-privileged", ...extra]);

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

/** The child pipeline for namespace ns with the docker CLI in the image jobs (docker-cli-pipeline.ts). */
async function dockerCliPipeline(ns: string): Promise<void> {
  pointProjectAt(s!, s!.inside, ns);
  await timed(["ci", "--out", "child-pipeline.yml"]);
  writeFileSync(join(project, "cli-pipeline.yml"), await writeDockerCliPipeline(project, s!.inside, readFileSync(join(project, "child-pipeline.yml"), "utf8")));
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

/**
 * The per-phase breakdown of one image job: the time from one landmark of its log to the next
 * (lines are timed as they arrive). The last phase ends at the pipeline's "job …: passed" line.
 */
const PHASES: [string, RegExp][] = [
  ["job container + dind service ready", /^Service docker:27-dind is ready/],
  ["runner-kit start-up in the job, registry login", /^\[[^\]]+\] building…/],
  ["build on the job's fresh daemon (base pulled, no cache)", /smoke job from/],
  ["smoke job inside dind", /^\[[^\]]+\] pushing…/],
  ["push", /built and pushed in/],
  ["runner-kit's summary, artifacts upload", /^Job succeeded/],
  ["job and service containers removed, slot freed", /^runner-kit: job .*: passed/],
];

function jobPhases(lines: Line[], job: string): { phase: string; ms: number }[] {
  const prefix = `[${job}] `;
  const mine = lines.filter((l) => l.text.startsWith(prefix) || l.text.startsWith(`runner-kit: job ${job}:`));
  if (mine.length === 0) return [];
  const out: { phase: string; ms: number }[] = [];
  let from = mine[0]!.at;
  for (const [phase, re] of PHASES) {
    const hit = mine.find((l) => l.at >= from && re.test(l.text.startsWith(prefix) ? l.text.slice(prefix.length) : l.text));
    if (!hit) continue;
    out.push({ phase, ms: hit.at - from });
    from = hit.at;
  }
  return out;
}

it("the scaffold's child pipeline via ci --run vs build --push --smoke of the same project", async () => {
  s = await scaffoldPipeline(await docker(), { project, runId, namespace: "bench-setup", registryImage: inject("fixtures").registry, registryRunId: uniqueRunId("bench-registry") });
  const pipeline: number[] = [];
  const pipelineJobs: number[] = [];
  const build: number[] = [];
  const fresh: number[] = [];
  const floor: number[] = [];
  const dindStart: number[] = [];
  const cli: number[] = [];
  const jobsN = process.env.BENCH_PIPELINE_JOBS;
  let traced: Line[] | undefined;
  const runCli = async (i: number) => {
    await dockerCliPipeline(`bench-cli-${i}`);
    cli.push((await ci("cli-pipeline.yml")).ms);
  };
  const runPipeline = async (i: number) => {
    // runner-kit's pipeline and the docker CLI's in alternating order, as the pairs below.
    if (i % 2 === 1) await runCli(i);
    await childPipelines(`bench-ci-${i}`);
    const r = await ci("child-pipeline.yml");
    pipeline.push(r.ms);
    traced ??= r.lines;
    for (const m of r.output.matchAll(/Service docker:27-dind is ready on port \d+ after (\d+\.\d+) s/g)) dindStart.push(Number(m[1]) * 1000);
    if (i % 2 === 0) await runCli(i);
    floor.push((await ci("floor-pipeline.yml")).ms);
    if (jobsN) {
      await childPipelines(`bench-ci-jobs-${i}`);
      pipelineJobs.push((await ci("child-pipeline.yml", ["--jobs", jobsN])).ms);
    }
  };
  const buildOn = async (ns: string, env: NodeJS.ProcessEnv) => {
    pointProjectAt(s!, s!.registry.host, ns);
    // The login the pipeline's jobs make from RUNNER_KIT_REGISTRY_*, given as a developer would.
    const r = await timed(["build", "--push", "--smoke", "--force"], { DOCKER_AUTH_CONFIG: dockerAuthConfigFor(s!.registry), ...env });
    // Its lock would make the next child pipeline check --locked against another registry address.
    rmSync(join(project, "runner-kit.lock"), { force: true });
    return r.ms;
  };
  const runBuild = async (i: number) => {
    build.push(await buildOn(`bench-build-${i}`, {}));
    // The design's floor: a daemon started for this build alone, as each job's dind is.
    const daemon = new PrivateDaemon();
    try {
      await daemon.start();
      fresh.push(await buildOn(`bench-fresh-${i}`, { DOCKER_HOST: daemon.host }));
    } finally {
      await daemon.remove();
    }
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
  const [p, b, f, fd] = [median(pipeline), median(build), median(floor), median(fresh)];
  const jobs = 2 * availableParallelism(); // ci --run's default --jobs
  rows.push({
    name: `pipeline: the scaffold's child pipeline (3 image jobs in dind, ${jobs} at a time, + publish) via ci --run vs build --push --smoke`,
    runnerKitMs: Math.round(p), peerMs: Math.round(b), ratio: p / b, goal: 1.3,
    runs: { pipeline, build, pairRatios: pipeline.map((x, i) => x / build[i]!), medianPairRatio: median(pipeline.map((x, i) => x / build[i]!)) },
  });
  if (jobsN) rows.push({ name: `  the same pipeline with --jobs ${jobsN}`, runnerKitMs: Math.round(median(pipelineJobs)), peerMs: Math.round(b), ratio: median(pipelineJobs) / b, goal: null, runs: { pipelineJobs } });
  const c = median(cli);
  rows.push({ name: "  floor: the same child pipeline with the docker CLI in the image jobs (login, build, run the smoke script, push) vs build", runnerKitMs: Math.round(c), peerMs: Math.round(b), ratio: c / b, goal: null, runs: { cli } });
  rows.push({ name: "  the pipeline vs the same pipeline with the docker CLI in the image jobs", runnerKitMs: Math.round(p), peerMs: Math.round(c), ratio: p / c, goal: null, runs: { pairRatios: pipeline.map((x, i) => x / cli[i]!), medianPairRatio: median(pipeline.map((x, i) => x / cli[i]!)) } });
  rows.push({ name: "  floor: the same pipeline, every script `true` (job containers + dind services)", runnerKitMs: Math.round(f), peerMs: Math.round(b), ratio: f / b, goal: null, runs: { floor } });
  rows.push({ name: "  fresh daemon: build --push --smoke --force on a daemon started for it (no base, no cache)", runnerKitMs: Math.round(fd), peerMs: Math.round(b), ratio: fd / b, goal: null, runs: { fresh } });
  rows.push({ name: "  the pipeline vs the fresh-daemon build", runnerKitMs: Math.round(p), peerMs: Math.round(fd), ratio: p / fd, goal: null, runs: {} });
  rows.push({ name: "  dind service start-up per job (median)", runnerKitMs: Math.round(median(dindStart)), peerMs: null, ratio: null, goal: null, runs: { dindStart } });
  if (traced) {
    if (process.env.BENCH_PIPELINE_LINES) writeFileSync(process.env.BENCH_PIPELINE_LINES, traced.map((l) => `${l.at.toFixed(0).padStart(7)} ${l.text}`).join("\n"));
    const job = traced.map((l) => /^\[([^\]]+)\]/.exec(l.text)?.[1]).find((n) => n?.startsWith("build:"));
    if (job) for (const ph of jobPhases(traced, job)) rows.push({ name: `  ${job}: ${ph.phase}`, runnerKitMs: Math.round(ph.ms), peerMs: null, ratio: null, goal: null, runs: {} });
  }
  console.error(JSON.stringify(rows, null, 2));
  expect(pipeline.length).toBe(rounds);
});
