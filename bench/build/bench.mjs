// bench/build — runner-kit build vs the Docker CLI, side by side in one run, ratios of medians.
//
//   npm run build && node bench/build/bench.mjs
//
// Env: BENCH_COLD_RUNS (default 3), BENCH_LOCAL_RUNS (5), BENCH_CACHED_RUNS (5),
// BENCH_CONTEXT_RUNS (3), BENCH_CONTEXT_MODES=cached,no-cache, BENCH_ONLY=cold,local,cached,context. The cached and context
// figures come in two pairs: runner-kit's default (BuildKit) against `DOCKER_BUILDKIT=1
// docker build` (BENCH_BUILDKIT_DOCKER, default /usr/bin/docker, a CLI that carries
// BuildKit), and `--builder classic` against `DOCKER_BUILDKIT=0 docker build`. The no-op
// rows also time the floor: Node starting and sending one Engine request (noop-floor.mjs); the
// classic context rows the daemon's own work given a ready tar (curl, see classicFloor).
// BENCH_PAIRS=buildkit,classic picks the pairs. "local" is a cold two-stage
// Debian build that needs no network: it shows runner-kit's own overhead without the apt
// mirror's noise that dominates the runner-aws figure. Needs the daemon, debian:bookworm and busybox:latest;
// the cold build installs Debian packages from the apt mirror. Every image it tags is under
// runner-kit-bench-<id>/ and removed at the end.
import { execa } from "execa";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";

const ROOT = resolve(import.meta.dirname, "..", "..");
const CLI = join(ROOT, "dist", "cli", "main.js");
const id = randomBytes(4).toString("hex");
const PREFIX = `runner-kit-bench-${id}`;
const work = mkdtempSync(join(tmpdir(), "rk-bench-build-"));
const runs = (name, dflt) => Number(process.env[name] ?? dflt);
const only = (process.env.BENCH_ONLY ?? "cold,local,cached,context").split(",");

const { loadPlan } = await import(join(ROOT, "dist", "project", "load.js"));
const { renderVariant } = await import(join(ROOT, "dist", "render", "render.js"));

function file(path, text) {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** A run's wall ms and output; `firstStepMs` when the classic builder's "Step 1/" line arrived (the context was in). */
async function timed(cmd, args, options = {}) {
  const start = process.hrtime.bigint();
  const since = () => Number(process.hrtime.bigint() - start) / 1e6;
  const child = execa(cmd, args, { reject: false, all: true, env: { ...process.env, NO_COLOR: "1", CI: "1", ...options.env }, cwd: options.cwd });
  let firstStepMs;
  let seen = "";
  child.all?.on("data", (chunk) => {
    if (firstStepMs !== undefined) return;
    seen = (seen + chunk.toString()).slice(-200);
    if (/Step 1\//.test(seen)) firstStepMs = since();
  });
  const r = await child;
  const ms = since();
  if (r.exitCode !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.exitCode}:\n${r.all?.slice(-3000)}`);
  return { ms, output: r.all ?? "", firstStepMs };
}

/** runner-kit under GNU time: wall ms and peak RSS (MB); with options.env RUNNER_KIT_TRACE=1, its phase marks (ms since its start). */
async function runnerKit(cwd, args, options = {}) {
  const r = await timed("/usr/bin/time", ["-f", "RK_MAXRSS_KB=%M", process.execPath, CLI, ...args], { cwd, ...options });
  const kb = Number(/RK_MAXRSS_KB=(\d+)/.exec(r.output)?.[1] ?? NaN);
  const marks = new Map([...r.output.matchAll(/^ *([\d.]+) ms {2}(.+)$/gm)].map((m) => [m[2], Number(m[1])]));
  return { ms: r.ms, rssMb: kb / 1024, marks, firstStepMs: r.firstStepMs };
}

/** A command under GNU time: wall ms and its CPU time (user + system, ms). */
async function withCpu(run) {
  const r = await run("/usr/bin/time", ["-f", "BENCH_CPU=%U %S"]);
  const [user, system] = (/BENCH_CPU=([\d.]+) ([\d.]+)/.exec(r.output) ?? []).slice(1).map(Number);
  return { ms: r.ms, cpuMs: (user + system) * 1000 };
}

/**
 * n interleaved pairs, each side first in turn: the apt mirror answers a repeated download
 * faster, which would otherwise favour whichever side always runs second.
 */
async function pairedRuns(n, runnerKitRun, dockerRun) {
  const rk = [];
  const cli = [];
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      rk.push(await runnerKitRun());
      cli.push(await dockerRun());
    } else {
      cli.push(await dockerRun());
      rk.push(await runnerKitRun());
    }
  }
  return { rk, cli };
}

const dockerBuild = (args, cwd) => timed("docker", ["build", "-q", ...args], { cwd, env: { DOCKER_BUILDKIT: "0" } });
// BuildKit through the docker CLI: Debian's /usr/bin/docker carries BuildKit itself (a newer
// docker earlier on PATH without the buildx plugin refuses DOCKER_BUILDKIT=1).
const BUILDKIT_DOCKER = process.env.BENCH_BUILDKIT_DOCKER ?? "/usr/bin/docker";
const dockerBuildKit = (args, cwd, wrap = (cmd, argv) => [cmd, argv]) => timed(...wrap(BUILDKIT_DOCKER, ["build", "-q", ...args]), { cwd, env: { DOCKER_BUILDKIT: "1" } });
/** The builder pairs: runner-kit's default (BuildKit) against the CLI with BuildKit, and the classic builder against the CLI's. */
const PAIRS = [
  { name: "BuildKit", rkArgs: [], docker: dockerBuildKit },
  { name: "classic", rkArgs: ["--builder", "classic"], docker: dockerBuild },
].filter((p) => (process.env.BENCH_PAIRS ?? "buildkit,classic").split(",").includes(p.name.toLowerCase()));

async function renderedDockerfile(projectDir, image) {
  const plan = await loadPlan({ cwd: projectDir, images: [image] });
  return renderVariant(plan.variants[0]);
}

const results = [];
function report(name, rk, cli, extra = "", floor = undefined) {
  const floors = floor?.floors;
  const ratio = median(rk) / median(cli);
  // Runs are interleaved in pairs; the median of the pairs' ratios is less sensitive to
  // drift (apt mirror speed, other users of the daemon) than the ratio of medians.
  const paired = median(rk.map((x, i) => x / cli[i]));
  results.push({ name, runnerKitMs: Math.round(median(rk)), dockerCliMs: Math.round(median(cli)), ratio: Number(ratio.toFixed(3)), pairedRatio: Number(paired.toFixed(3)), extra });
  const floorRatio = floors ? median(floors.map((x, i) => x / cli[i])) : undefined;
  // The physical floor of a no-op: Node's start-up plus one Engine request, as a ratio of the same docker runs.
  if (floors) Object.assign(results.at(-1), { floorName: floor.name, floorMs: Math.round(median(floors)), floorRatio: Number(floorRatio.toFixed(3)) });
  console.log(`${name}: runner-kit ${Math.round(median(rk))} ms vs docker ${Math.round(median(cli))} ms → ratio ${ratio.toFixed(3)} (median paired ratio ${paired.toFixed(3)}) ${extra}`);
  console.log(`  runs runner-kit [${rk.map(Math.round).join(", ")}] docker [${cli.map(Math.round).join(", ")}]`);
  if (floors) console.log(`  ${floor.name} ${Math.round(median(floors))} ms [${floors.map(Math.round).join(", ")}] → paired ratio ${floorRatio.toFixed(3)}`);
}

async function coldRunnerAws() {
  const dir = join(work, "cold");
  file(
    join(dir, "runner-kit.yaml"),
    [
      `registry: ${PREFIX}`,
      "images:",
      "  runner-aws:",
      "    template: runner-aws",
      "    context: ctx",
      "    args: { GITLAB_RUNNER_VERSION: v17.3.0, RUNNER_BASE_IMAGE: debian:bookworm }",
      "    values: { ecr: { registries: [123456789012.dkr.ecr.eu-west-1.amazonaws.com] }, packages: [jq] }",
      "    tags: [v17.3.0]",
      "",
    ].join("\n"),
  );
  file(join(dir, "ctx", ".keep"), "");
  file(join(dir, "cli", "Dockerfile"), await renderedDockerfile(dir, "runner-aws"));
  const cliArgs = ["--no-cache", "-f", join(dir, "cli", "Dockerfile"), "--build-arg", "GITLAB_RUNNER_VERSION=v17.3.0", "--build-arg", "RUNNER_BASE_IMAGE=debian:bookworm", "-t", `${PREFIX}/cli-runner-aws:v1`, join(dir, "ctx")];
  const { rk, cli } = await pairedRuns(
    runs("BENCH_COLD_RUNS", 3),
    async () => (await runnerKit(dir, ["build", "--force", "--no-cache"])).ms,
    async () => (await dockerBuild(cliArgs)).ms,
  );
  report("cold build of runner-aws (rendered, RUNNER_BASE_IMAGE=debian:bookworm, --no-cache)", rk, cli);
}

async function coldLocal() {
  const dir = join(work, "local");
  file(join(dir, "runner-kit.yaml"), `registry: ${PREFIX}\ntemplates: templates\nimages:\n  local:\n    template: local\n    context: ctx\n    tags: [v1]\n`);
  file(
    join(dir, "templates", "local", "Dockerfile.hbs"),
    [
      "FROM debian:bookworm AS tools",
      "RUN dd if=/dev/urandom of=/blob bs=1M count=200 && sha256sum /blob > /sum && rm /blob",
      "RUN mkdir /out && for i in $(seq 1 10000); do echo $i > /out/f$i; done && tar -cf /out.tar /out && rm -rf /out",
      "FROM debian:bookworm",
      "COPY --from=tools /sum /sum",
      "COPY --from=tools /out.tar /out.tar",
      "RUN tar -tf /out.tar | wc -l > /count",
      "LABEL org.opencontainers.image.title=local",
      "",
    ].join("\n"),
  );
  file(join(dir, "ctx", ".keep"), "");
  file(join(dir, "cli", "Dockerfile"), await renderedDockerfile(dir, "local"));
  const cliArgs = ["--no-cache", "-f", join(dir, "cli", "Dockerfile"), "-t", `${PREFIX}/cli-local:v1`, join(dir, "ctx")];
  const { rk, cli } = await pairedRuns(
    runs("BENCH_LOCAL_RUNS", 5),
    async () => (await runnerKit(dir, ["build", "--force", "--no-cache"])).ms,
    async () => (await dockerBuild(cliArgs)).ms,
  );
  report("cold two-stage Debian build without network (--no-cache)", rk, cli);
}

async function cachedTwenty() {
  const dir = join(work, "twenty");
  const images = Array.from({ length: 20 }, (_, i) => `img${String(i + 1).padStart(2, "0")}`);
  const yaml = [`registry: ${PREFIX}`, "templates: templates", "images:"];
  for (const [i, name] of images.entries()) {
    yaml.push(`  ${name}:`, "    template: small", `    context: ctx/${name}`, `    args: { N: "${i}" }`, "    tags: [v1]");
    file(join(dir, "ctx", name, "payload.txt"), `payload ${name}\n`.repeat(50));
  }
  file(join(dir, "runner-kit.yaml"), `${yaml.join("\n")}\n`);
  file(join(dir, "templates", "small", "Dockerfile.hbs"), "FROM busybox:latest\nARG N\nCOPY payload.txt /payload.txt\nRUN echo \"image {{args.N}}\" > /n\n");
  const cliCalls = [];
  for (const name of images) {
    const df = join(dir, "cli", name, "Dockerfile");
    file(df, await renderedDockerfile(dir, name));
    cliCalls.push(["-f", df, "--build-arg", `N=${images.indexOf(name)}`, "-t", `${PREFIX}/cli-${name}:v1`, join(dir, "ctx", name)]);
  }
  const floor = join(import.meta.dirname, "noop-floor.mjs");
  for (const pair of PAIRS) {
    await runnerKit(dir, ["build", "--jobs", "2", ...pair.rkArgs]); // warm: everything built once
    for (const args of cliCalls) await pair.docker(args);
    const rk = [];
    const cli = [];
    const floors = [];
    for (let i = 0; i < runs("BENCH_CACHED_RUNS", 5); i++) {
      rk.push((await runnerKit(dir, ["build", ...pair.rkArgs])).ms);
      const start = process.hrtime.bigint();
      for (const args of cliCalls) await pair.docker(args);
      cli.push(Number(process.hrtime.bigint() - start) / 1e6);
      // The floor: Node starting and asking the daemon one question, nothing else.
      floors.push((await timed(process.execPath, [floor])).ms);
    }
    report(`20-image project, nothing changed (${pair.name}): one \`runner-kit build\` vs 20 cached \`docker build\``, rk, cli, "", { floors, name: "floor: Node start-up + one Engine request" });
  }
}

async function bigContext() {
  const dir = join(work, "context");
  file(join(dir, "runner-kit.yaml"), `registry: ${PREFIX}\ntemplates: templates\nimages:\n  big:\n    template: big\n    context: ctx\n    tags: [v1]\n`);
  file(join(dir, "templates", "big", "Dockerfile.hbs"), "FROM busybox:latest\nCOPY . /ctx/\n");
  const line = "x".repeat(199) + "\n";
  for (let d = 0; d < 100; d++) {
    const sub = join(dir, "ctx", `d${d}`);
    mkdirSync(sub, { recursive: true });
    for (let f = 0; f < 500; f++) writeFileSync(join(sub, f % 2 ? `f${f}.skip` : `f${f}.keep`), `${d}/${f}\n${line}`);
  }
  file(join(dir, "ctx", ".dockerignore"), "**/*.skip\n");
  file(join(dir, "cli", "Dockerfile"), await renderedDockerfile(dir, "big"));
  // Two modes: the COPY cached (the daemon only checks the context), and --no-cache on both
  // sides (issue 18's wording: the COPY runs every time). BENCH_CONTEXT_MODES picks them.
  const modes = (process.env.BENCH_CONTEXT_MODES ?? "cached,no-cache").split(",");
  for (const pair of PAIRS) {
    for (const mode of modes) await contextPair(dir, pair, mode === "no-cache" ? ["--no-cache"] : []);
  }
}

/**
 * When the docker CLI sends its build request, in ms after it starts: the time of its second
 * connect() to the daemon (the first carries `_ping` then `POST /build`, the second, a
 * millisecond later, the session). Measured on runs of its own, never on timed ones: strace
 * stops the CLI at each of the Go runtime's preemption signals, which slowed its build by a
 * third and tripled its CPU time. Undefined without strace or a unix socket.
 */
async function cliRequestMs(pair, cliArgs) {
  if (!(await execa("strace", ["-V"], { reject: false }).then((r) => r.exitCode === 0, () => false))) return undefined;
  const trace = join(work, "cli-connect.trace");
  const startedEpochMs = Date.now();
  await pair.docker(cliArgs, undefined, (cmd, argv) => ["strace", ["-f", "-qq", "--seccomp-bpf", "-e", "trace=connect", "-e", "signal=none", "-ttt", "-o", trace, cmd, ...argv]]);
  const connects = [...readFileSync(trace, "utf8").matchAll(/^\d+ ([\d.]+) connect\(\d+, \{sa_family=AF_UNIX, sun_path="[^"]*docker\.sock"/gm)].map((m) => Number(m[1]) * 1000);
  return connects.length >= 2 ? connects[1] - startedEpochMs : undefined;
}

/**
 * The floor of a classic context build: the daemon's own work given the same tar, made in
 * advance (runner-kit's writer, the rendered Dockerfile as runner-kit names it) and sent
 * with curl in one Content-Length body, with the query runner-kit sends. No client can
 * send the context faster than that; what is left is the daemon untarring and building.
 */
async function classicFloor(dir, flags) {
  const tarFile = join(work, "floor.tar");
  const { listContextFiles } = await import(join(ROOT, "dist", "builder", "context-files.js"));
  const { contextTar, INJECTED_DOCKERFILE } = await import(join(ROOT, "dist", "builder", "context.js"));
  const { entries } = await listContextFiles(join(dir, "ctx"), [INJECTED_DOCKERFILE]);
  const rendered = readFileSync(join(dir, "cli", "Dockerfile"), "utf8");
  const query = new URLSearchParams({ t: `${PREFIX}/floor-big:v1`, dockerfile: INJECTED_DOCKERFILE, buildargs: "{}", rm: "true", forcerm: "true", version: "1" });
  if (flags.includes("--no-cache")) query.set("nocache", "true");
  const args = ["-sS", "-N", "--fail", "--unix-socket", "/var/run/docker.sock", "-X", "POST", "-H", "Content-Type: application/x-tar", "--data-binary", `@${tarFile}`, `http://localhost/build?${query}`];
  let round = 0;
  return async () => {
    // Made before the clock starts. runner-kit's Dockerfile ends with a LABEL step that is
    // new every build (the creation time), so the floor's gets one too.
    const dockerfile = `${rendered.trimEnd()}\nLABEL io.runner-kit.bench.round="${id}-${round++}"\n`;
    await pipeline(await contextTar(join(dir, "ctx"), entries, dockerfile, undefined, { hideDockerfile: true }), createWriteStream(tarFile));
    const r = await timed("curl", args);
    // The build's own errors arrive in the progress stream with HTTP 200.
    if (/"errorDetail"/.test(r.output)) throw new Error(`the floor build failed: ${r.output.slice(-2000)}`);
    return r;
  };
}

/**
 * The 50k context, n interleaved pairs (the side that goes first alternating), each pair
 * with its floor; the BuildKit pair also tells when each side sent its build request
 * (runner-kit: its RUNNER_KIT_TRACE mark).
 */
async function contextPair(dir, pair, flags) {
  // Without -q, so the CLI's "Step 1/" line tells when the daemon had the whole context.
  const cliArgs = [...flags, "-f", join(dir, "cli", "Dockerfile"), "-t", `${PREFIX}/cli-big:v1`, join(dir, "ctx")];
  if (pair.name === "BuildKit") return buildkitContextPair(dir, pair, flags, cliArgs);
  return classicContextPair(dir, pair, flags, cliArgs);
}

/**
 * The BuildKit pair of the 50k context, with its floor: the daemon's part of the docker
 * CLI's own build (from its build request to its exit). The daemon does the same work for
 * any client asking for this build, so no client can go below it.
 */
async function buildkitContextPair(dir, pair, flags, cliArgs) {
  await runnerKit(dir, ["build", "--force", ...flags, ...pair.rkArgs]);
  await pair.docker(cliArgs);
  // The docker CLI's own time before its build request: small and steady, so two untimed runs tell it.
  const cliRequest = [];
  for (let i = 0; i < 2; i++) {
    const ms = await cliRequestMs(pair, cliArgs);
    if (ms !== undefined) cliRequest.push(ms);
  }
  const rss = [];
  const rkRequest = [];
  const cliCpu = [];
  const { rk, cli } = await pairedRuns(
    runs("BENCH_CONTEXT_RUNS", 3),
    async () => {
      // --force: the context is walked, hashed, sent and checked by the daemon every time.
      const r = await runnerKit(dir, ["build", "--force", ...flags, ...pair.rkArgs], { env: { RUNNER_KIT_TRACE: "1" } });
      rss.push(r.rssMb);
      if (r.marks.has("buildkit: POST /build sent")) rkRequest.push(r.marks.get("buildkit: POST /build sent"));
      return r.ms;
    },
    async () => {
      const r = await withCpu((time, format) => pair.docker(cliArgs, undefined, (cmd, argv) => [time, [...format, cmd, ...argv]]));
      cliCpu.push(r.cpuMs);
      return r.ms;
    },
  );
  // The floor of each pair: the CLI's build less its own time before the request.
  const floors = cliRequest.length ? cli.map((ms) => ms - median(cliRequest)) : [];
  const mode = flags.length ? "--no-cache" : "cached COPY";
  const extra = `; runner-kit peak RSS ${Math.max(...rss).toFixed(0)} MB${cliCpu.length ? `; docker CLI CPU ${Math.round(median(cliCpu))} ms` : ""}`;
  report(`50,000-file context, .dockerignore excludes half (${mode}, ${pair.name})`, rk, cli, extra, floors.length === cli.length ? { floors, name: "floor: the daemon's part of the docker CLI's build: its build request to its exit" } : undefined);
  const row = results.at(-1);
  row.runnerKitPeakRssMb = Number(Math.max(...rss).toFixed(1));
  if (cliCpu.length) row.dockerCliCpuMs = Math.round(median(cliCpu));
  if (rkRequest.length) row.runnerKitRequestMs = Math.round(median(rkRequest));
  if (cliRequest.length) row.dockerCliRequestMs = Math.round(median(cliRequest));
  if (rkRequest.length || cliRequest.length) console.log(`  build request sent after: runner-kit ${row.runnerKitRequestMs} ms, docker CLI ${row.dockerCliRequestMs} ms; docker CLI CPU ${row.dockerCliCpuMs} ms`);
}

/** The classic pair of the 50k context, with the floor of the daemon given a ready tar. */
async function classicContextPair(dir, pair, flags, cliArgs) {
  const cliRun = () => timed("docker", ["build", ...cliArgs], { env: { DOCKER_BUILDKIT: "0" } });
  const rkArgs = ["build", "--force", "--progress", "plain", ...flags, ...pair.rkArgs];
  const floor = !process.env.DOCKER_HOST ? await classicFloor(dir, flags) : undefined;
  await runnerKit(dir, rkArgs);
  await cliRun();
  if (floor) await floor();
  const rss = [];
  const floors = [];
  const steps = { rk: [], cli: [], floor: [] };
  // --force: the context is walked, hashed, sent and checked by the daemon every time.
  // Interleaved, each side first in turn; the floor runs right after runner-kit.
  const { rk, cli } = await pairedRuns(
    runs("BENCH_CONTEXT_RUNS", 3),
    async () => {
      const r = await runnerKit(dir, rkArgs);
      rss.push(r.rssMb);
      steps.rk.push(r.firstStepMs);
      if (floor) {
        const f = await floor();
        floors.push(f.ms);
        steps.floor.push(f.firstStepMs);
      }
      return r.ms;
    },
    async () => {
      const r = await cliRun();
      steps.cli.push(r.firstStepMs);
      return r.ms;
    },
  );
  const floorInfo = floor ? { floors, name: "floor: the daemon given a ready tar (curl)" } : undefined;
  report(`50,000-file context, .dockerignore excludes half (${flags.length ? "--no-cache" : "cached COPY"}, ${pair.name})`, rk, cli, `; runner-kit peak RSS ${Math.max(...rss).toFixed(0)} MB`, floorInfo);
  results.at(-1).runnerKitPeakRssMb = Number(Math.max(...rss).toFixed(1));
  console.log(JSON.stringify({ runs: { rk, cli, floors, steps } }));
  // Until "Step 1/": start-up, walk, hash, and the context sent and unpacked by the daemon.
  if (steps.cli.every((x) => x !== undefined)) {
    const contextIn = Object.fromEntries(Object.entries(steps).filter(([, xs]) => xs.length && xs.every((x) => x !== undefined)).map(([k, xs]) => [k, Math.round(median(xs))]));
    results.at(-1).untilFirstStepMs = contextIn;
    console.log(`  until "Step 1/" (context in): ${Object.entries(contextIn).map(([k, v]) => `${k} ${v} ms`).join(", ")}`);
  }
}

try {
  console.log(`bench/build on ${(await execa("nproc")).stdout.trim()} cores, docker ${(await execa("docker", ["version", "-f", "{{.Server.Version}}"])).stdout}`);
  if (only.includes("cold")) await coldRunnerAws();
  if (only.includes("local")) await coldLocal();
  if (only.includes("cached")) await cachedTwenty();
  if (only.includes("context")) await bigContext();
  console.log(JSON.stringify(results, null, 2));
} finally {
  const { stdout } = await execa("docker", ["images", "--format", "{{.Repository}}:{{.Tag}}"]);
  const mine = stdout.split("\n").filter((r) => r.startsWith(`${PREFIX}/`));
  if (mine.length) await execa("docker", ["rmi", "-f", ...mine], { reject: false });
  rmSync(work, { recursive: true, force: true });
}
