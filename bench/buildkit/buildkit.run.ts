// bench/buildkit — the three BuildKit figures side by side in one run (see bench/README.md):
//   1. cold runner-aws: `runner-kit build --no-cache` vs `DOCKER_BUILDKIT=1 /usr/bin/docker build --no-cache`
//   2. rebuild after adding one apt package: the built-in templates' apt cache mounts vs the same RUN without them
//   3. a fresh daemon (docker:dind in CI) building a pushed variant again: --cache-from the pushed image vs no cache
// Writes the rows as JSON to $BENCH_OUT. Env: BENCH_COLD_RUNS (1), BENCH_APT_RUNS (3), BENCH_FRESH_RUNS (2),
// BENCH_ONLY=cold,apt,fresh. Every image it tags on the shared daemon is under runner-kit-bench-<id>/ and removed.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { afterAll, expect, inject, it } from "vitest";
import { loadPlan } from "../../src/project/load.js";
import { renderVariant } from "../../src/render/render.js";
import { BIN } from "../../test/support/cli.js";
import { PrivateDaemon } from "../../test/support/private-daemon.js";
import { dockerAuthConfigFor } from "../../test/support/registry.js";

const ROOT = join(import.meta.dirname, "..", "..");
const id = randomBytes(4).toString("hex");
const PREFIX = `runner-kit-bench-${id}`;
const work = mkdtempSync(join(tmpdir(), "rk-bench-bk-"));
const only = (process.env.BENCH_ONLY ?? "cold,apt,fresh").split(",");
const runs = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const rows: { name: string; runnerKitMs: number; peerMs: number; ratio: number; goal: number; floorMs?: number; floorRatio?: number; runs: { a: number[]; b: number[]; floor?: number[] } }[] = [];

function file(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function timed(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<number> {
  const start = process.hrtime.bigint();
  const r = await execa(cmd, args, { reject: false, all: true, cwd: options.cwd, env: { ...process.env, NO_COLOR: "1", CI: "1", ...options.env } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.exitCode !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.exitCode}:\n${(r.all ?? "").slice(-3000)}`);
  return ms;
}

const runnerKit = (cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) => timed(process.execPath, [BIN, ...args], { cwd, env: { RUNNER_KIT_RUN_ID: `bench-${id}`, ...env } });

/** n pairs, each side first in turn (a repeated download is answered faster, which would favour the side that always runs second). */
async function paired(n: number, a: () => Promise<number>, b: () => Promise<number>): Promise<{ a: number[]; b: number[] }> {
  const out = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      out.a.push(await a());
      out.b.push(await b());
    } else {
      out.b.push(await b());
      out.a.push(await a());
    }
  }
  return out;
}

/** One row; `floor` (optional): the same work with nothing left to save, so floorRatio says how low the ratio can go. */
function report(name: string, result: { a: number[]; b: number[] }, goal: number, floor?: number[]): void {
  const row: (typeof rows)[number] = { name, runnerKitMs: Math.round(median(result.a)), peerMs: Math.round(median(result.b)), ratio: Number((median(result.a) / median(result.b)).toFixed(3)), goal, runs: floor ? { ...result, floor } : result };
  if (floor) Object.assign(row, { floorMs: Math.round(median(floor)), floorRatio: Number((median(floor) / median(result.b)).toFixed(3)) });
  rows.push(row);
  const floorText = floor ? `; floor ${row.floorMs} ms → ${row.floorRatio}` : "";
  console.log(`${name}: ${row.runnerKitMs} ms vs ${row.peerMs} ms → ${row.ratio} (goal ≤ ${goal})${floorText}; runs ${JSON.stringify(row.runs)}`);
}

afterAll(async () => {
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, JSON.stringify(rows, null, 2));
  const { stdout } = await execa("docker", ["images", "--format", "{{.Repository}}:{{.Tag}}"]);
  const mine = stdout.split("\n").filter((r) => r.includes(`${PREFIX}/`));
  if (mine.length) await execa("docker", ["rmi", "-f", ...mine], { reject: false });
  rmSync(work, { recursive: true, force: true });
});

it.runIf(only.includes("cold"))("cold runner-aws: runner-kit (BuildKit) vs DOCKER_BUILDKIT=1 docker build", async () => {
  const dir = join(work, "cold");
  const args = { GITLAB_RUNNER_VERSION: "v17.3.0", RUNNER_BASE_IMAGE: "debian:bookworm" };
  file(
    join(dir, "runner-kit.yaml"),
    [`registry: ${PREFIX}`, "images:", "  runner-aws:", "    context: ctx", `    args: ${JSON.stringify(args)}`, "    values: { ecr: { registries: [123456789012.dkr.ecr.eu-west-1.amazonaws.com] }, packages: [jq] }", "    tags: [v1]", ""].join("\n"),
  );
  file(join(dir, "ctx", ".keep"), "");
  const plan = await loadPlan({ cwd: dir });
  file(join(dir, "cli", "Dockerfile"), await renderVariant(plan.variants[0]!, { builder: "buildkit" }));
  const cli = ["build", "-q", "--no-cache", "-f", join(dir, "cli", "Dockerfile"), ...Object.entries(args).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]), "-t", `${PREFIX}/cli-runner-aws:v1`, join(dir, "ctx")];
  // Untimed: fills the apt cache mounts (which --no-cache leaves alone), so neither side is the one that downloads.
  await runnerKit(dir, ["build", "--force", "--no-cache", "--builder", "buildkit"]);
  const result = await paired(
    runs("BENCH_COLD_RUNS", 1),
    () => runnerKit(dir, ["build", "--force", "--no-cache", "--builder", "buildkit"]),
    // Debian's docker.io CLI carries BuildKit itself; a newer docker earlier on PATH may lack buildx.
    () => timed("/usr/bin/docker", cli, { env: { DOCKER_BUILDKIT: "1" } }),
  );
  report("BuildKit: cold runner-aws (--no-cache) vs DOCKER_BUILDKIT=1 docker build", result, 1.05);
});

it.runIf(only.includes("apt"))("rebuild after adding one apt package: cache mounts vs none", async () => {
  // Three projects from the built-in job-base template (its base packages in one RUN, values.packages in a RUN of
  // their own after it): "mounts" as shipped, with cache ids of this run (a fresh apt cache); "plain" the same RUNs
  // without mounts, removing the lists; "floor" the mounts form sharing mounts' cache, its RUNs marked so that its
  // layers are its own: it installs the package mounts has just downloaded, so its time is what the rerun RUN costs
  // when nothing is left to download (apt-get update answered "Hit", the .deb in the cache: dpkg and the layer).
  const builtin = readFileSync(join(ROOT, "templates", "job-base", "Dockerfile.hbs"), "utf8");
  const mounts = [
    `--mount=type=cache,target=/var/cache/apt,id=${PREFIX}-apt,sharing=locked \\`,
    `    --mount=type=cache,target=/var/lib/apt/lists,id=${PREFIX}-lists,sharing=locked \\`,
    "    rm -f /etc/apt/apt.conf.d/docker-clean \\",
    " && ",
  ].join("\n");
  const variants = {
    mounts: builtin.replaceAll("{{aptCacheMounts}}", mounts),
    // `: <prefix>` makes plain's RUNs new to the daemon's build cache, as the cache ids make mounts' (a RUN an earlier
    // bench run built would be a cache hit, not a rebuild).
    plain: builtin.replaceAll("{{aptCacheMounts}}", `: ${PREFIX} \\\n && `).replaceAll(/clean=true}}\n/g, "}}\n && rm -rf /var/lib/apt/lists/*\n"),
    floor: builtin.replaceAll("{{aptCacheMounts}}", `${mounts}: floor \\\n && `),
  };
  expect(variants.mounts.match(/id=runner-kit-bench-\w+-apt/g)).toHaveLength(2);
  expect(variants.plain.match(/: runner-kit-bench-\w+ \\\n && apt-get update/g)).toHaveLength(2);
  for (const [name, text] of Object.entries(variants)) {
    const dir = join(work, `apt-${name}`);
    file(join(dir, "templates", "job-base", "Dockerfile.hbs"), text);
    file(join(dir, "templates", "job-base", "defaults.yaml"), readFileSync(join(ROOT, "templates", "job-base", "defaults.yaml"), "utf8"));
    file(join(dir, "runner-kit.yaml"), [`registry: ${PREFIX}/${name}`, "templates: templates", "images:", "  job-base:", "    tags: [v1]", ""].join("\n"));
    // The first build: the base packages (both download them; the mounts keep theirs).
    await runnerKit(dir, ["build", "--builder", "buildkit"]);
  }
  const extra = ["tree", "bc", "less", "patch", "zip", "unzip"];
  const rebuild = (name: string, pkg: string) => runnerKit(join(work, `apt-${name}`), ["build", "--builder", "buildkit", "--set", `packages=[${pkg}]`]);
  const result = { a: [] as number[], b: [] as number[] };
  const floor: number[] = [];
  // Each round adds a package no side has downloaded yet; the order of the sides turns round by round (floor
  // after mounts, whose download it reuses), so none always follows the heaviest build.
  const sides = { mounts: result.a, plain: result.b, floor };
  const orders = [["mounts", "plain", "floor"], ["plain", "mounts", "floor"], ["mounts", "floor", "plain"]] as const;
  for (let i = 0; i < runs("BENCH_APT_RUNS", 3); i++) {
    const pkg = extra[i % extra.length]!;
    for (const side of orders[i % orders.length]!) sides[side].push(await rebuild(side, pkg));
  }
  report("BuildKit: rebuild after adding one apt package, cache mounts vs none", result, 0.5, floor);
});

it.runIf(only.includes("fresh"))("a fresh daemon rebuilding a pushed variant: registry cache vs none", async () => {
  const registry = inject("registry");
  const dir = join(work, "fresh");
  const repository = `${registry.host}/${PREFIX}`;
  file(join(dir, "runner-kit.yaml"), [`registry: ${repository}`, "templates: templates", "images:", "  work:", "    tags: [latest]", "    cache: { inline: true }", ""].join("\n"));
  // CPU work with small results: what a registry cache saves a fresh CI daemon.
  const steps = Array.from({ length: 4 }, (_, i) => `RUN dd if=/dev/urandom bs=1M count=150 2>/dev/null | sha256sum > /sum${i} && echo ${id}-${i} >> /sum${i}`);
  file(join(dir, "templates", "work", "Dockerfile.hbs"), ["FROM busybox:latest", ...steps, ""].join("\n"));
  const auth = { DOCKER_AUTH_CONFIG: dockerAuthConfigFor(registry), HOME: dir };
  await runnerKit(dir, ["build", "--push", "--builder", "buildkit"], auth);
  const fresh = async (cacheFrom: boolean): Promise<number> => {
    const daemon = new PrivateDaemon();
    try {
      await daemon.start();
      await daemon.loadFrom("busybox:latest", process.env.DOCKER_HOST);
      return await runnerKit(dir, ["build", "--force", "--builder", "buildkit", ...(cacheFrom ? ["--cache-from", `${repository}/work:latest`] : [])], { ...auth, DOCKER_HOST: daemon.host });
    } finally {
      await daemon.remove();
    }
  };
  const result = await paired(runs("BENCH_FRESH_RUNS", 2), () => fresh(true), () => fresh(false));
  report("BuildKit: fresh daemon rebuild, --cache-from the pushed image vs no cache", result, 0.3);
  expect(rows.length).toBeGreaterThan(0);
});
