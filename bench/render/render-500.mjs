#!/usr/bin/env node
// Benchmark: load a project of 10 images × 50 teams and render all 500 variants in one
// process (the same code path as `runner-kit render`, minus writing files). Reports wall
// time and peak memory. Runs the built package: `npm run build && node bench/render/render-500.mjs`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { loadPlan } from "../../dist/project/load.js";
import { renderVariant } from "../../dist/render/render.js";
import { TemplateStore } from "../../dist/template/template-store.js";

const IMAGES = Number(process.env.BENCH_IMAGES ?? 10);
const TEAMS = Number(process.env.BENCH_TEAMS ?? 50);

function makeProject() {
  const dir = mkdtempSync(join(tmpdir(), "rk-bench-render-"));
  const lines = ["registry: registry.example.com/platform", "images:"];
  for (let i = 0; i < IMAGES; i++) {
    const aws = i % 2 === 0;
    lines.push(`  image-${i}:`, `    template: ${aws ? "runner-aws" : "job-base"}`, "    values:", `      packages: [jq, curl, pkg-${i}]`);
    if (aws) lines.push("      ecr: {registries: [123456789012.dkr.ecr.eu-west-1.amazonaws.com]}", '    args: {GITLAB_RUNNER_VERSION: v17.3.0}', '    tags: ["{{args.GITLAB_RUNNER_VERSION}}", latest]');
  }
  lines.push("teams:");
  for (let t = 0; t < TEAMS; t++) {
    lines.push(`  team-${t}:`, `    templates: teams/team-${t}`, "    values:", `      packages: [git, team-${t}-tool]`);
    for (const template of ["runner-aws", "job-base"]) {
      const overlay = join(dir, "teams", `team-${t}`, template);
      mkdirSync(overlay, { recursive: true });
      writeFileSync(join(overlay, "extra.hbs"), `ENV TEAM=team-${t}\n`);
    }
  }
  writeFileSync(join(dir, "runner-kit.yaml"), `${lines.join("\n")}\n`);
  return dir;
}

const dir = makeProject();
let peakHeap = 0;
const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 5);
try {
  const start = performance.now();
  const store = new TemplateStore();
  const plan = await loadPlan({ cwd: dir, store });
  const loaded = performance.now();
  let bytes = 0;
  for (const variant of plan.variants) {
    bytes += (await renderVariant(variant, { store })).length;
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  const end = performance.now();
  clearInterval(sampler);
  const result = {
    variants: plan.variants.length,
    wallMs: Math.round(end - start),
    loadMs: Math.round(loaded - start),
    renderMs: Math.round(end - loaded),
    renderedBytes: bytes,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    peakHeapMiB: Math.round(peakHeap / 1024 / 1024),
    node: process.version,
  };
  console.log(JSON.stringify(result));
  console.error(
    `rendered ${result.variants} variants in ${result.wallMs} ms (load ${result.loadMs} ms, render ${result.renderMs} ms); ` +
      `peak RSS ${result.peakRssMiB} MiB, peak heap ${result.peakHeapMiB} MiB; target < 1000 ms: ${result.wallMs < 1000 ? "met" : "MISSED"}`,
  );
} finally {
  clearInterval(sampler);
  if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
}
