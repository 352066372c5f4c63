// `npm run bench`: the render, build and smoke benchmarks side by side in one run, then
// one table of figures and ratios against their targets. Needs `npm run build`, a Docker
// Engine, and the test fixture images (run the integration tests once); bench/smoke also
// installs its own gitlab-ci-local (bench/smoke/package.json) and needs rsync on the host.
// BENCH_SMOKE_ROUNDS (default 7) and BENCH_SMOKE_GCL=0 (no gitlab-ci-local) tune bench/smoke.
// BENCH_ONLY=render,build,smoke picks a subset; BENCH_BUILD_ONLY is passed to bench/build.
import { execa } from "execa";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const only = (process.env.BENCH_ONLY ?? "render,build,smoke").split(",");
const rows = [];

function lastJson(stdout, open) {
  const start = stdout.lastIndexOf(`\n${open}`);
  return JSON.parse(start >= 0 ? stdout.slice(start + 1) : stdout.slice(stdout.indexOf(open)));
}

if (only.includes("render")) {
  console.error("== bench/render: 500 variants in one process");
  const { stdout } = await execa("node", [join(here, "render", "render-500.mjs")], { stderr: "inherit" });
  const r = lastJson(stdout.trim(), "{");
  rows.push([`render ${r.variants} variants`, `${r.wallMs} ms`, "-", "-", "< 1000 ms", r.wallMs < 1000]);
  rows.push(["render peak RSS", `${r.peakRssMiB} MiB`, "-", "-", "-", true]);
}

if (only.includes("build")) {
  console.error("== bench/build: runner-kit vs DOCKER_BUILDKIT=0 docker build");
  const { stdout } = await execa("node", [join(here, "build", "bench.mjs")], { stderr: "inherit" });
  const targets = [
    [/^cold runner-aws/i, 1.05],
    [/20/, 0.3],
    [/50,000/, 1.0],
  ];
  for (const r of lastJson(stdout.trim(), "[")) {
    const target = targets.find(([re]) => re.test(r.name))?.[1];
    rows.push([r.name, `${r.runnerKitMs} ms`, `${r.dockerCliMs} ms`, r.ratio.toFixed(2), target ? `≤ ${target}` : "-", target ? r.ratio <= target : true]);
    if (r.runnerKitPeakRssMb !== undefined) rows.push(["  runner-kit peak RSS", `${r.runnerKitPeakRssMb} MB`, "-", "-", "≤ 150 MB", r.runnerKitPeakRssMb <= 150]);
  }
}

if (only.includes("smoke")) {
  console.error("== bench/smoke: runner-kit smoke vs a plain docker CLI script vs gitlab-ci-local 4.73.0");
  const { stdout } = await execa("bash", [join(here, "smoke", "run.sh"), process.env.BENCH_SMOKE_ROUNDS ?? "7"], { stderr: "inherit" });
  const r = lastJson(stdout.trim(), "{");
  rows.push(["smoke: redis service + job, vs plain CLI", `${r.runnerKitS.toFixed(2)} s`, `${r.plainS.toFixed(2)} s`, r.ratioPlain.toFixed(2), "≤ 0.8", r.ratioPlain <= 0.8]);
  // Reference row: raw Engine API calls with curl, the floor any tool making them has.
  rows.push(["smoke: daemon floor (curl, same API calls), vs plain CLI", `${r.floorS.toFixed(2)} s`, `${r.plainS.toFixed(2)} s`, r.ratioFloorPlain.toFixed(2), "reference", true]);
  if (r.gitlabCiLocalS !== undefined) {
    rows.push(["smoke: same job, vs gitlab-ci-local", `${r.runnerKitS.toFixed(2)} s`, `${r.gitlabCiLocalS.toFixed(2)} s`, r.ratioGitlabCiLocal.toFixed(2), "≤ 0.25", r.ratioGitlabCiLocal <= 0.25]);
  }
}

const header = ["benchmark", "runner-kit", "peer", "ratio", "target", "met"];
const table = [header, ...rows.map((r) => [...r.slice(0, 5), r[5] ? "yes" : "NO"])];
const widths = header.map((_, i) => Math.max(...table.map((r) => String(r[i]).length)));
console.log(table.map((r) => r.map((c, i) => String(c).padEnd(widths[i])).join("  ").trimEnd()).join("\n"));
