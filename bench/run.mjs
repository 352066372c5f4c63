// `npm run bench`: every benchmark side by side in one run, then ONE table: each figure, its
// peer, the ratio, the goal, whether it is met, and the machine's load average around it.
//
//   npm run bench                 # the table on stdout, progress on stderr
//   npm run bench -- --json       # the same as one JSON document on stdout
//   npm run bench -- --readme     # also rewrite the results table in bench/README.md
//
// Runs on a fresh machine by itself: it needs `npm run build` (the npm script does it), a
// Docker Engine with debian:bookworm and busybox:latest (`.ci/run` seeds them), and builds the
// fixture images it uses. bench/smoke installs its own gitlab-ci-local and needs rsync.
// BENCH_ONLY=startup,render,build,buildkit,smoke,platforms,pipeline picks a subset (platforms needs
// the arm64 image test/support/seed-arm64.sh seeds); BENCH_STARTUP_ROUNDS (default 11);
// BENCH_PLATFORM_ROUNDS (default 5); BENCH_SMOKE_ROUNDS (default 7); BENCH_SMOKE_GCL=0 leaves
// gitlab-ci-local out; BENCH_BUILD_ONLY and BENCH_PAIRS are passed to bench/build.
// BENCH_ONLY=pipeline: the scaffold's child pipeline via ci --run vs build --push --smoke (needs the
// docker:27-dind that test/support/seed-dind.sh seeds; BENCH_PIPELINE_ROUNDS, default 3).
import { execa } from "execa";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const args = new Set(process.argv.slice(2));
const only = (process.env.BENCH_ONLY ?? "startup,render,build,buildkit,smoke,platforms,pipeline").split(",");
const rows = [];
const load = () => loadavg()[0].toFixed(2);

/** One row: a figure of runner-kit's, a peer's (or "-"), their ratio, the goal and whether it holds. */
function row(name, runnerKit, peer, ratio, goal, met, loadAround) {
  rows.push({ name, runnerKit, peer, ratio, goal, met, load: loadAround });
}

function lastJson(stdout, open) {
  const start = stdout.lastIndexOf(`\n${open}`);
  return JSON.parse(start >= 0 ? stdout.slice(start + 1) : stdout.slice(stdout.indexOf(open)));
}

/** A bench written as a vitest file (bench/<dir>/vitest.config.ts, so it can use test/support): the rows it wrote to $BENCH_OUT. */
async function vitestRows(dir) {
  const out = join(tmpdir(), `rk-bench-${dir}-${process.pid}.json`);
  const r = await execa("npx", ["vitest", "run", "--config", join(here, dir, "vitest.config.ts")], { cwd: root, reject: false, all: true, env: { BENCH_OUT: out } });
  console.error(r.all);
  return JSON.parse(readFileSync(out, "utf8"));
}

async function section(name, run) {
  if (!only.includes(name)) return;
  const before = load();
  await run(() => `${before}–${load()}`);
}

/** The fixture images the smoke bench runs (a job image and a Redis service), built from test/fixtures. */
async function fixtureImages() {
  const images = {};
  for (const name of ["job", "redis"]) {
    const tag = `runner-kit-bench/${name}:latest`;
    console.error(`== building the bench fixture ${tag}`);
    await execa("docker", ["build", "-q", "-t", tag, join(root, "test", "fixtures", "images", name)], { stderr: "inherit" });
    images[name] = tag;
  }
  return images;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Wall ms of one process run to its end. */
async function wallMs(file, argv) {
  const start = process.hrtime.bigint();
  await execa(process.execPath, [file, ...argv], { stdout: "ignore", stderr: "inherit" });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

await section("startup", async (around) => {
  // The bin as users start it (the bundle `npm run build` makes) against Node starting an
  // empty script: what runner-kit adds before its first request, the share of a no-op or a
  // smoke run no daemon can take away.
  console.error("== start-up: runner-kit --version vs Node starting an empty script");
  const empty = join(tmpdir(), `rk-bench-empty-${process.pid}.mjs`);
  writeFileSync(empty, "");
  const cli = join(root, "dist", "cli", "main.js");
  const rk = [];
  const node = [];
  for (let i = 0; i < Number(process.env.BENCH_STARTUP_ROUNDS ?? 11); i++) {
    // Interleaved, each side first in turn.
    const pair = i % 2 ? [await wallMs(empty, []), await wallMs(cli, ["--version"])].reverse() : [await wallMs(cli, ["--version"]), await wallMs(empty, [])];
    rk.push(pair[0]);
    node.push(pair[1]);
  }
  const ratio = median(rk.map((x, i) => x / node[i]));
  row("start-up: `runner-kit --version` vs Node starting an empty script", `${Math.round(median(rk))} ms`, `${Math.round(median(node))} ms`, ratio.toFixed(2), "≤ 1.5", ratio <= 1.5, around());
});

await section("render", async (around) => {
  console.error("== bench/render: 500 variants in one process");
  const { stdout } = await execa("node", [join(here, "render", "render-500.mjs")], { stderr: "inherit" });
  const r = lastJson(stdout.trim(), "{");
  const l = around();
  row(`render ${r.variants} variants, one process`, `${r.wallMs} ms`, "-", "-", "< 1000 ms", r.wallMs < 1000, l);
  row("render peak RSS", `${r.peakRssMiB} MiB`, "-", "-", "-", true, l);
});

await section("build", async (around) => {
  console.error("== bench/build: runner-kit vs the docker CLI");
  // bench/build reads its own BENCH_ONLY (cold,local,cached,context): BENCH_BUILD_ONLY, not this script's.
  const env = { BENCH_ONLY: process.env.BENCH_BUILD_ONLY ?? "cold,local,cached,context" };
  const { stdout } = await execa("node", [join(here, "build", "bench.mjs")], { stderr: "inherit", env });
  const goals = [
    [/^cold runner-aws/i, 1.05],
    [/20/, 0.2],
    [/50,000/, 0.9],
  ];
  const l = around();
  for (const r of lastJson(stdout.trim(), "[")) {
    const goal = goals.find(([re]) => re.test(r.name))?.[1];
    // The median of the interleaved pairs' ratios: steadier on a shared machine than the ratio of medians.
    const ratio = r.pairedRatio ?? r.ratio;
    row(r.name, `${r.runnerKitMs} ms`, `${r.dockerCliMs} ms`, ratio.toFixed(2), goal ? `≤ ${goal}` : "-", goal ? ratio <= goal : true, l);
    if (r.floorMs !== undefined) row(`  ${r.floorName ?? "floor: Node start-up + one Engine request"}`, `${r.floorMs} ms`, `${r.dockerCliMs} ms`, r.floorRatio.toFixed(2), "reference", true, l);
    if (r.runnerKitRequestMs !== undefined) row("  build request sent, ms after the start", `${r.runnerKitRequestMs} ms`, `${r.dockerCliRequestMs ?? "-"} ms`, "-", "reference", true, l);
    if (r.dockerCliCpuMs !== undefined) row("  docker CLI's own CPU time (user + system)", "-", `${r.dockerCliCpuMs} ms`, "-", "reference", true, l);
    if (r.runnerKitPeakRssMb !== undefined) row("  runner-kit peak RSS", `${r.runnerKitPeakRssMb} MiB`, "-", "-", "≤ 120 MiB", r.runnerKitPeakRssMb <= 120, l);
  }
});

await section("buildkit", async (around) => {
  // A vitest file (bench/buildkit), so it can use test/support's registry and private daemons.
  console.error("== bench/buildkit: cold runner-aws vs DOCKER_BUILDKIT=1 docker build, apt cache mounts, fresh-daemon registry cache");
  const results = await vitestRows("buildkit");
  const l = around();
  for (const x of results) {
    row(x.name, `${x.runnerKitMs} ms`, `${x.peerMs} ms`, x.ratio.toFixed(2), `≤ ${x.goal}`, x.ratio <= x.goal, l);
    if (x.floorMs !== undefined) row("  floor: the same rebuild with the package already in the apt cache", `${x.floorMs} ms`, `${x.peerMs} ms`, x.floorRatio.toFixed(2), "reference", true, l);
  }
});

await section("smoke", async (around) => {
  const images = await fixtureImages();
  console.error("== bench/smoke: runner-kit smoke vs a plain docker CLI script vs gitlab-ci-local 4.73.0");
  const { stdout } = await execa("bash", [join(here, "smoke", "run.sh"), process.env.BENCH_SMOKE_ROUNDS ?? "7"], {
    stderr: "inherit",
    env: { BENCH_JOB_IMAGE: images.job, BENCH_REDIS_IMAGE: images.redis },
  });
  const r = lastJson(stdout.trim(), "{");
  const l = around();
  const s = (x) => `${x.toFixed(2)} s`;
  // The runner's default network mode (default bridge, no network made) against a script that makes one.
  row("smoke: redis service + job, default network mode, vs a plain per-network CLI script", s(r.runnerKitS), s(r.plainS), r.ratioPlain.toFixed(2), "≤ 0.8", r.ratioPlain <= 0.8, l);
  // The daemon floor: the same Engine API calls sent with curl, nothing else — no tool making them can go below it.
  row("smoke: the same job with FF_NETWORK_PER_BUILD, vs the daemon floor", s(r.runnerKitPerBuildS), s(r.floorS), r.ratioPerBuildFloor.toFixed(2), "≤ 1.03", r.ratioPerBuildFloor <= 1.03, l);
  row("  daemon floor vs the plain CLI script", s(r.floorS), s(r.plainS), r.ratioFloorPlain.toFixed(2), "reference", true, l);
  if (r.gitlabCiLocalS !== undefined) {
    row("smoke: the same job, default network mode, vs gitlab-ci-local 4.73.0", s(r.runnerKitS), s(r.gitlabCiLocalS), r.ratioGitlabCiLocal.toFixed(2), "≤ 0.3", r.ratioGitlabCiLocal <= 0.3, l);
  }
});

await section("platforms", async (around) => {
  console.error("== bench/platforms: a two-platform image under one tag, runner-kit vs docker push + docker manifest create/push");
  const { stdout } = await execa("node", [join(here, "platforms", "bench.mjs")], { stderr: "inherit" });
  const r = lastJson(stdout.trim(), "{");
  const l = around();
  row("amd64 + arm64 pushed under one index, vs docker push ×2 + manifest create/push", `${r.runnerKitMs} ms`, `${r.dockerCliMs} ms`, r.ratio.toFixed(2), "≤ 1.0", r.ratio <= 1.0, l);
  row("  the index step alone (check, PUT, read back, tag)", `${r.indexStepMs} ms`, "-", "-", "< 1000 ms", r.indexStepMs < 1000, l);
});

await section("pipeline", async (around) => {
  // A vitest file (bench/pipeline), so it can use test/support's registry and the end-to-end test's scaffold set-up.
  console.error("== bench/pipeline: the scaffold's child pipeline via ci --run vs build --push --smoke of the same project");
  const results = await vitestRows("pipeline");
  const l = around();
  const ms = (x) => (x === null ? "-" : `${x} ms`);
  for (const x of results) {
    const goal = x.goal === null ? "reference" : `≤ ${x.goal}`;
    row(x.name, ms(x.runnerKitMs), ms(x.peerMs), x.ratio === null ? "-" : x.ratio.toFixed(2), goal, x.goal === null ? true : x.ratio <= x.goal, l);
  }
});

const header = ["benchmark", "runner-kit", "peer", "ratio", "goal", "met", "load avg"];
const cells = rows.map((r) => [r.name, r.runnerKit, r.peer, r.ratio, r.goal, r.met ? "yes" : "NO", r.load]);
const machine = { cores: cpus().length, date: new Date().toISOString().slice(0, 10) };

if (args.has("--readme")) {
  const readme = join(here, "README.md");
  const md = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...cells.map((c) => `| ${c.join(" | ")} |`)].join("\n");
  const text = readFileSync(readme, "utf8");
  const marked = /<!-- bench:results -->[\s\S]*<!-- \/bench:results -->/;
  const block = `<!-- bench:results -->\n${machine.date}, ${machine.cores} cores (\`npm run bench -- --readme\`):\n\n${md}\n<!-- /bench:results -->`;
  writeFileSync(readme, marked.test(text) ? text.replace(marked, block) : `${text.trimEnd()}\n\n## Latest results\n\n${block}\n`);
}

if (args.has("--json")) {
  console.log(JSON.stringify({ machine, rows }, null, 2));
} else {
  const table = [header, ...cells];
  const widths = header.map((_, i) => Math.max(...table.map((r) => String(r[i]).length)));
  console.log(table.map((r) => r.map((c, i) => String(c).padEnd(widths[i])).join("  ").trimEnd()).join("\n"));
}
