import { join, resolve } from "node:path";
import { say, print, printJson, type CliContext } from "../common/context.js";
import { connectDocker, pingDocker } from "../engine/client.js";
import { insecureRegistryPredicate, type RegistryInfo } from "../engine/insecure-registries.js";
import { newRunId } from "../engine/labels.js";
import { failure, usageError } from "../common/errors.js";
import { writeFileAtomic } from "../common/atomic-write.js";
import { LOCK_FILE_NAME, type LockEntry } from "../lock/lockfile.js";
import { assertLockCurrent, mergeLock, readLock, serializeLock, writeLock } from "../lock/store.js";
import { loadPlan } from "../project/load.js";
import { renderVariant } from "../render/render.js";
import { TemplateStore } from "../template/template-store.js";
import { lazyCredentialResolver } from "./auth.js";
import { configDirRulesAgree } from "../auth/config-dir.js";
import { registryTransport } from "../push/registry-transport.js";
import { buildPrepared } from "./build-variants.js";
import { vcsFromEnv } from "../builder/image-labels.js";
import { prepareVariants } from "./prepare.js";
import { gitlabReporter, plainReporter, quietReporter, ttyReporter } from "./reporters.js";
import { summaryDocument, summaryTable } from "./summary.js";
import type { BuildOptions, BuildReporter, VariantResult } from "./types.js";
import { smokeGate } from "./smoke-step.js";
import { gitInfo } from "./vcs.js";

export interface BuildCommandOptions {
  images: string[];
  config?: string;
  team?: string;
  buildArg?: string[];
  set?: string[];
  target?: string;
  push?: boolean;
  smoke?: boolean;
  /** With --smoke: write the smoke jobs' JUnit report here. */
  junit?: string;
  /** commander's --no-teams gives teams: false: only the base variants. */
  teams?: boolean;
  locked?: boolean;
  /** Write this run's lock entries to this file (a fragment) instead of updating runner-kit.lock. */
  lockOut?: string;
  force?: boolean;
  /** commander's --no-cache gives cache: false. */
  cache?: boolean;
  pull?: boolean;
  jobs?: string;
  json?: boolean;
  quiet?: boolean;
}

function parseJobs(value: string | undefined): number {
  if (value === undefined) return 2;
  if (!/^[1-9]\d*$/.test(value)) throw usageError(`--jobs ${value} is not a positive whole number`, { hint: "for example --jobs 4" });
  return Number(value);
}

function chooseReporter(ctx: CliContext, quiet: boolean): BuildReporter {
  const write = (line: string) => say(ctx, line);
  if (quiet) return quietReporter(write);
  if (ctx.env.GITLAB_CI) return gitlabReporter(write);
  if (ctx.stderr.isTTY && !ctx.env.CI) return ttyReporter((text) => ctx.stderr.write(ctx.secrets.redact(text)));
  return plainReporter(write);
}

function lockEntry(result: VariantResult, previous: LockEntry | undefined): LockEntry {
  const entry: LockEntry = { repository: result.repository, tags: result.tags, contentHash: result.contentHash!, baseImages: result.baseImages };
  if (result.imageId) entry.imageId = result.imageId;
  // A local build of unchanged content keeps the digest the last push recorded.
  const digest = result.digest ?? (previous && previous.contentHash === result.contentHash && previous.repository === result.repository ? previous.digest : undefined);
  if (digest) entry.digest = digest;
  return entry;
}

/** `runner-kit build`: load, render, build (and push) every selected variant, lock, summary. */
export async function runBuildCommand(ctx: CliContext, options: BuildCommandOptions): Promise<void> {
  const jobs = parseJobs(options.jobs);
  // One template store: each template file is read and compiled once for all variants.
  const store = new TemplateStore();
  const plan = await loadPlan({
    cwd: ctx.cwd,
    store,
    ...(options.config !== undefined ? { configFile: options.config } : {}),
    ...(options.team !== undefined ? { team: options.team } : {}),
    ...(options.images.length > 0 ? { images: options.images } : {}),
    ...(options.set?.length ? { set: options.set } : {}),
    ...(options.buildArg?.length ? { buildArgs: options.buildArg } : {}),
  });
  const buildOptions: BuildOptions = {
    jobs,
    push: options.push === true,
    force: options.force === true,
    noCache: options.cache === false,
    pull: options.pull === true,
    ...(options.target !== undefined ? { target: options.target } : {}),
  };
  if (options.junit !== undefined && !options.smoke) throw usageError("--junit reports smoke jobs, so it needs --smoke", { hint: "add --smoke, or drop --junit" });
  if (options.teams === false) {
    if (options.team !== undefined) throw usageError("--team and --no-teams contradict each other", { hint: "use one of them" });
    plan.variants = plan.variants.filter((v) => v.team === undefined);
  }
  const prepared = await prepareVariants(plan.variants, (variant) => renderVariant(variant, { store }), buildOptions.target !== undefined ? { target: buildOptions.target } : {});

  const lockPath = join(plan.rootDir, LOCK_FILE_NAME);
  const previousLock = await readLock(lockPath);
  if (options.locked) {
    assertLockCurrent(
      lockPath,
      previousLock,
      Object.fromEntries(prepared.map((p) => [p.variant.id, { repository: p.variant.repository, tags: p.variant.tags, contentHash: p.contentHash }])),
    );
  }

  const connection = await connectDocker(ctx.env);
  await pingDocker(connection);
  // Asked lazily: GET /info is slow, and an up-to-date local build never contacts a registry.
  let insecure: Promise<(domain: string) => boolean> | undefined;
  const insecureRegistry = async (domain: string) => {
    insecure ??= connection.docker.info().then((info: RegistryInfo) => insecureRegistryPredicate(info));
    return (await insecure)(domain);
  };
  let vcs: Promise<{ source?: string; revision?: string }> | undefined;
  const log = (message: string) => say(ctx, message);
  // One resolver for the whole command: builds, pushes and smoke pulls share its sources and helper runs.
  const credentials = lazyCredentialResolver(ctx, log);
  const reporter = chooseReporter(ctx, options.quiet === true);
  const smoke = options.smoke
    ? smokeGate({
        docker: connection.docker,
        secrets: ctx.secrets,
        env: ctx.env,
        runId: newRunId(ctx.env),
        projectDir: plan.rootDir,
        out: log,
        warn: (message) => say(ctx, `WARNING: ${message}`),
        signal: ctx.signal,
        ...(configDirRulesAgree(ctx.env) ? { resolveAuth: credentials.resolveAuth } : {}),
      })
    : undefined;
  let results: VariantResult[];
  try {
    results = await buildPrepared(
      prepared,
      {
        docker: connection.docker,
        renderDockerfile: renderVariant,
        fetch: registryTransport({ env: ctx.env }),
        ...credentials,
        reporter,
        now: () => new Date(),
        insecureRegistry,
        secrets: ctx.secrets,
        vcs: () => (vcs ??= gitInfo(plan.rootDir).then((git) => vcsFromEnv(ctx.env, git))),
        signal: ctx.signal,
        ...(smoke ? { beforePush: smoke.check } : {}),
      },
      buildOptions,
    );
  } finally {
    reporter.close();
  }
  if (options.junit !== undefined) {
    const { junitReportAll } = await import("../smoke/report.js");
    await writeFileAtomic(resolve(ctx.cwd, options.junit), junitReportAll(smoke?.reports ?? [], (t) => ctx.secrets.redact(t)));
  }

  const updates: Record<string, LockEntry> = {};
  for (const r of results) if (r.status !== "failed") updates[r.id] = lockEntry(r, previousLock?.variants[r.id]);
  // A project base is pinned the way its own entry is (its registry digest, kept across
  // local builds of unchanged content), so the lock does not churn between runs.
  for (const p of prepared) {
    const entry = updates[p.variant.id];
    for (const dep of entry ? p.dependsOn : []) {
      const base = updates[dep];
      const pin = base?.digest ?? base?.imageId;
      if (base && pin) entry!.baseImages[base.repository] = pin;
    }
  }
  if (options.lockOut !== undefined) {
    // A fragment for parallel CI jobs (merged later): only what this run built or found.
    await writeLock(resolve(ctx.cwd, options.lockOut), { version: 1, variants: updates });
  } else if (!options.locked) {
    const next = mergeLock(previousLock, updates);
    // Unchanged: leave the file (and its modification time) alone.
    if (Object.keys(updates).length > 0 && (!previousLock || serializeLock(next) !== serializeLock(previousLock))) await writeLock(lockPath, next);
  }

  if (options.json) printJson(ctx, summaryDocument(results));
  else print(ctx, summaryTable(results));

  const failed = results.filter((r) => r.status === "failed");
  if (failed.length > 0) {
    // A refusal caused by a credential helper that failed earlier names the helper here too,
    // not only in a warning that scrolled past.
    const causes = [...new Set(failed.flatMap((r) => (r.credentialProblem ? [`${r.id} after a credential helper had failed: ${r.credentialProblem}`] : [])))];
    const because = causes.length > 0 ? `; the registry refused ${causes.join("; ")}` : "";
    throw failure(`${failed.length} of ${results.length} image${results.length === 1 ? "" : "s"} failed: ${failed.map((r) => r.id).join(", ")}${because}`, {
      hint: "the summary above shows each failure",
    });
  }
}
