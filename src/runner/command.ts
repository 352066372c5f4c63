import { readFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { print, printJson, say, warn, type CliContext } from "../common/context.js";
import { failure } from "../common/errors.js";
import { LOCK_FILE_NAME } from "../lock/lockfile.js";
import { loadPlan } from "../project/load.js";
import type { Plan } from "../project/plan.js";
import { buildRunnerConfig, type RunnerConfigOutput } from "./assemble.js";
import { readLock } from "../lock/store.js";
import type { RunnerSection } from "../project/runner-schema.js";
import { writeRunnerFiles } from "./write.js";
import { checkRunnerFiles } from "./check.js";

export interface ConfigCommandOptions {
  /** Project file, relative to ctx.cwd. */
  configFile?: string;
  team?: string;
  out: string;
  json?: boolean;
  /** Write nothing; fail (exit 1) with a diff when the written files are stale. */
  check?: boolean;
}

/**
 * The runner sections of a Plan: the top-level one, and each team's (the loader validated
 * them and puts a team's `teams.<t>.runner:` on every variant of that team).
 */
export function runnerSectionsOf(plan: Plan): { runner?: RunnerSection; teams: Record<string, RunnerSection | undefined> } {
  const teams: Record<string, RunnerSection | undefined> = {};
  for (const variant of plan.variants) {
    if (variant.team !== undefined && teams[variant.team] === undefined) teams[variant.team] = variant.runner;
  }
  return { ...(plan.runner !== undefined ? { runner: plan.runner } : {}), teams };
}

export interface ConfigCommandDeps {
  /** Defaults to the project loader; tests pass a Plan directly. */
  loadPlan?: typeof loadPlan;
}

/** `runner-kit config`: validate everything, then write config.toml, register/*, docker/config.json. */
export async function runConfigCommand(ctx: CliContext, options: ConfigCommandOptions, deps: ConfigCommandDeps = {}): Promise<RunnerConfigOutput> {
  const plan = await (deps.loadPlan ?? loadPlan)({ cwd: ctx.cwd, configFile: options.configFile });
  const label = relative(ctx.cwd, plan.projectFile) || basename(plan.projectFile);
  const { runner, teams } = runnerSectionsOf(plan);
  const lock = await readLock(join(plan.rootDir, LOCK_FILE_NAME));
  const output = buildRunnerConfig({
    projectLabel: label,
    rootDir: plan.rootDir,
    runner,
    teams,
    variants: plan.variants,
    lock,
    team: options.team,
    env: ctx.env,
    readFile: (path) => readFileSync(path, "utf8"),
    secrets: ctx.secrets,
  });
  for (const warning of output.warnings) warn(ctx, warning);

  const outDir = resolve(ctx.cwd, options.out);
  if (options.check) {
    await checkWritten(ctx, outDir, output, options.json === true);
    return output;
  }
  await writeRunnerFiles(outDir, output.files);
  const shown = (path: string) => relative(ctx.cwd, join(outDir, path)) || path;
  if (options.json) {
    printJson(ctx, {
      outDir,
      files: output.files.map((f) => ({ path: join(outDir, f.path), mode: `0${f.mode.toString(8)}`, credentials: f.sensitive })),
      runners: output.runners,
      dockerConfig: {
        credHelpers: output.dockerConfig.credHelpers ?? {},
        ...(output.dockerConfig.credsStore ? { credsStore: output.dockerConfig.credsStore } : {}),
        auths: Object.keys(output.dockerConfig.auths ?? {}),
      },
      warnings: output.warnings,
    });
  } else {
    for (const file of output.files) {
      print(ctx, `wrote ${shown(file.path)} (mode 0${file.mode.toString(8)}${file.sensitive ? ", holds credentials" : ""})`);
    }
    for (const r of output.runners) {
      print(ctx, `runner ${r.name}: ${r.image}${r.pinned ? "" : " (not pinned)"}${r.token ? ` — token from ${r.tokenEnv}` : ` — register with ${shown("register/register.sh")} (needs ${r.tokenEnv})`}`);
    }
  }
  return output;
}

/** `config --check`: compare, print the differences, exit 1 when anything is stale. */
async function checkWritten(ctx: CliContext, outDir: string, output: RunnerConfigOutput, json: boolean): Promise<void> {
  const checks = await checkRunnerFiles(outDir, output.files, (path) => relative(ctx.cwd, path) || path);
  const stale = checks.filter((c) => c.status !== "ok");
  if (json) printJson(ctx, { check: true, ok: stale.length === 0, files: checks });
  else {
    for (const c of stale) print(ctx, c.detail ?? c.path);
    for (const c of checks) say(ctx, `${{ ok: "up to date", missing: "MISSING", differs: "DIFFERS" }[c.status].padEnd(12)} ${c.path}`);
  }
  if (stale.length > 0) {
    throw failure(`${stale.length} runner file(s) differ from what runner-kit config writes now: ${stale.map((c) => c.path).join(", ")}`, {
      hint: "run `runner-kit config` (with the same --out and --team) and deploy or commit the result",
    });
  }
}
