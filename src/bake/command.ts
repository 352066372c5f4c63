import { release } from "node:os";
import { join, relative, resolve } from "node:path";
import { say, print, printJson, type CliContext } from "../common/context.js";
import { engineHttpFor, lazyDockerode, pingDocker } from "../engine/client.js";
import { discoverDaemon } from "../engine/address.js";
import { newRunId } from "../engine/labels.js";
import { failure, usageError } from "../common/errors.js";
import { writeFileAtomic } from "../common/atomic-write.js";
import { traceMark } from "../common/trace.js";
import { lockUpdates } from "../lock/entry.js";
import { LOCK_FILE_NAME, type LockFile } from "../lock/lockfile.js";
import { assertLockCurrent, mergeLock, readLock, requireLockFile, serializeLock, writeLock } from "../lock/store.js";
import { declaredArgs } from "../dockerfile/declared-args.js";
import { loadPlan } from "../project/load.js";
import type { Plan } from "../project/plan.js";
import { renderVariant } from "../render/render.js";
import { TemplateStore } from "../template/template-store.js";
import { lazyCredentialResolver } from "./auth.js";
import { chooseBuilder, requestedBuilder, type DaemonVersion } from "../builder/builder-choice.js";
import type { BuilderKind } from "../builder/image-builder.js";
import { configDirRulesAgree } from "../auth/config-dir.js";
import { registryTransport } from "../push/registry-transport.js";
import { buildPrepared } from "./build-variants.js";
import { vcsFromEnv } from "../builder/image-labels.js";
import { prepareVariants } from "./prepare.js";
import { HashCache, runnerKitCacheDir } from "../builder/hash-cache.js";
import { chooseReporter, quietReporter } from "./reporters.js";
import type { ProgressRequest } from "./progress-mode.js";
import { dryRun, dryRunTable, type DryRunRow } from "./dry-run.js";
import { dockerImageClient, type ImageClient } from "../builder/image-client.js";
import { summaryDocument, summaryTable } from "./summary.js";
import type { BuildDeps, BuildOptions, PreparedVariant, VariantResult } from "./types.js";
import { smokeGate, type SmokeGate } from "./smoke-step.js";
import { gitInfo } from "./vcs.js";
import { checkSecrets, parseSecretFlags } from "./build-secrets.js";
import { parseSshFlags, refuseSshWithout } from "./build-ssh.js";
import { parseImageReference } from "../reference/parse.js";
import { lockedPlatforms, checkBasePlatforms } from "./platform-command.js";
import { labelledImagesSnapshot } from "./up-to-date-batch.js";
import { emulatorCheck } from "./platform-emulators.js";
import { platformFragment, splitBuild } from "./platform-split.js";
import { binfmtDirReader } from "./platform-binfmt.js";
import { tracedFetch } from "./traced-fetch.js";
import { registrySettings } from "./registry-settings.js";

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
  /** With --smoke: the smoke jobs' CI/CD variables (--variable, repeatable; --env-file). */
  variable?: string[];
  envFile?: string;
  /** commander's --no-teams gives teams: false: only the base variants. */
  teams?: boolean;
  locked?: boolean;
  /** Write this run's lock entries to this file (a fragment) instead of updating runner-kit.lock. */
  lockOut?: string;
  force?: boolean;
  /** --dry-run: say what would be built, pushed or is up to date, and why; build and write nothing. */
  dryRun?: boolean;
  /** --progress: auto (default), tty, plain or gitlab. */
  progress?: ProgressRequest;
  /** --platform (repeatable, comma lists): build every selected image for these platforms. */
  platform?: string[];
  /** --push-platform P: build and push by digest only this platform; no index, no tags (needs lockOut). */
  pushPlatform?: string;
  /** --push-index DIR: assemble the index from the platform jobs' fragments in DIR and move the tags. */
  pushIndex?: string;
  /** --builder: overrides the project's builder: (default: BuildKit where the daemon has it). */
  builder?: BuilderKind;
  /** commander's --no-cache gives cache: false. */
  cache?: boolean;
  /** --secret id=ID,src=FILE | id=ID,env=VAR (repeatable). */
  secret?: string[];
  /** --ssh default | ID | ID=SOCKET (repeatable). */
  ssh?: string[];
  /** --cache-from REF (repeatable). */
  cacheFrom?: string[];
  /** --cache-inline: inline cache metadata in the images built. */
  cacheInline?: boolean;
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

function buildOptionsFrom(ctx: CliContext, options: BuildCommandOptions): BuildOptions {
  return {
    ...(options.secret?.length ? { secrets: parseSecretFlags(options.secret, ctx.cwd, ctx.env) } : {}),
    ...(options.ssh?.length ? { ssh: parseSshFlags(options.ssh, ctx.cwd, ctx.env) } : {}),
    ...(options.cacheFrom?.length ? { cacheFrom: options.cacheFrom.map((ref) => (parseImageReference(ref, { where: `--cache-from ${ref}` }), ref)) } : {}),
    ...(options.cacheInline ? { cacheInline: true } : {}),
    jobs: parseJobs(options.jobs),
    push: options.push === true,
    force: options.force === true,
    noCache: options.cache === false,
    pull: options.pull === true,
    ...(options.target !== undefined ? { target: options.target } : {}),
  };
}

/** With --locked: the lock must already describe every variant to build. */
function checkLocked(lockPath: string, previousLock: LockFile | undefined, prepared: PreparedVariant[]): void {
  assertLockCurrent(
    lockPath,
    previousLock,
    Object.fromEntries(prepared.map((p) => [p.variant.id, { repository: p.variant.repository, tags: p.variant.tags, contentHash: p.contentHash, ...lockedPlatforms(p) }])),
  );
}

/** The effects the build core gets: the daemon, credentials, the reporter, the smoke gate. */
async function commandDeps(ctx: CliContext, options: BuildCommandOptions, plan: Plan): Promise<{ deps: Omit<BuildDeps, "reporter">; smoke: SmokeGate | undefined; images: ImageClient }> {
  // The no-op path (everything up to date) talks to the daemon through the thin HTTP client;
  // dockerode is loaded only when an image is built, pushed or smoke-tested.
  const address = discoverDaemon(ctx.env);
  const docker = lazyDockerode(address);
  const engine = engineHttpFor(address) ?? docker;
  // With --push the registry is asked before anything builds, and that needs GET /info.
  const registry = registrySettings(engine, (options.push === true || options.pushPlatform !== undefined || options.pushIndex !== undefined) && plan.variants.length > 0);
  await pingDocker({ docker: engine, address });
  traceMark("daemon answered the ping");
  registry.prefetch();
  const images = dockerImageClient(engine);
  // GET /version is asked on the first build only: a daemon without BuildKit is then told to
  // use builder: classic (the Dockerfiles were rendered and hashed for the requested builder).
  const requested = requestedBuilder(options.builder, plan.builder);
  const builderKind = () => engine.version().then((version: DaemonVersion) => chooseBuilder(requested.kind, version, requested.where));
  let vcs: Promise<{ source?: string; revision?: string }> | undefined;
  const log = (message: string) => say(ctx, message);
  // One resolver for the whole command: builds, pushes and smoke pulls share its sources and helper runs.
  const credentials = lazyCredentialResolver(ctx, log);
  const smoke = options.smoke
    ? smokeGate({
        docker,
        secrets: ctx.secrets,
        env: ctx.env,
        runId: newRunId(ctx.env),
        projectDir: plan.rootDir,
        cicd: { variables: options.variable ?? [], ...(options.envFile !== undefined ? { envFile: options.envFile } : {}), cwd: ctx.cwd },
        runner: { ...(plan.runner ? { section: plan.runner } : {}), projectLabel: relative(ctx.cwd, plan.projectFile) || plan.projectFile },
        out: log,
        warn: (message) => say(ctx, `WARNING: ${message}`),
        signal: ctx.signal,
        ...(configDirRulesAgree(ctx.env) ? { resolveAuth: credentials.resolveAuth } : {}),
      })
    : undefined;
  const deps: Omit<BuildDeps, "reporter"> = {
    docker,
    images,
    builderKind,
    renderDockerfile: renderVariant,
    fetch: tracedFetch(registryTransport({ env: ctx.env })),
    ...credentials,
    now: () => new Date(),
    insecureRegistry: registry.insecureRegistry,
    secrets: ctx.secrets,
    env: ctx.env,
    vcs: () => (vcs ??= gitInfo(plan.rootDir).then((git) => vcsFromEnv(ctx.env, git))),
    signal: ctx.signal,
    ...(smoke ? { beforePush: smoke.check } : {}),
    checkEmulators: emulatorCheck(async () => ({ addressKind: address.kind, daemon: await engine.version(), local: { platform: process.platform, release: release() } }), binfmtDirReader()),
  };
  return { deps, smoke, images };
}

/** `--dry-run`: what would happen, as a table or one JSON document; nothing was built or written. */
function reportDryRun(ctx: CliContext, options: BuildCommandOptions, rows: DryRunRow[]): void {
  if (options.json) printJson(ctx, { dryRun: true, images: rows });
  else print(ctx, dryRunTable(rows));
}

/** runner-kit.lock (or the --lock-out fragment) after this run. */
async function recordLock(ctx: CliContext, options: BuildCommandOptions, lockPath: string, previousLock: LockFile | undefined, prepared: PreparedVariant[], results: VariantResult[]): Promise<void> {
  const updates = lockUpdates(
    results.filter((r) => r.status !== "failed"),
    new Map(prepared.map((p) => [p.variant.id, p.dependsOn])),
    previousLock,
  );
  // The summary shows each image's bases as the lock pins them.
  for (const r of results) if (updates[r.id]) r.baseImages = updates[r.id]!.baseImages;
  if (options.lockOut !== undefined) {
    // A fragment for parallel CI jobs (merged later): only what this run built or found.
    await writeLock(resolve(ctx.cwd, options.lockOut), { version: 1, variants: options.pushPlatform !== undefined ? platformFragment(updates) : updates });
  } else if (!options.locked) {
    const next = mergeLock(previousLock, updates);
    // Unchanged: leave the file (and its modification time) alone.
    if (Object.keys(updates).length > 0 && (!previousLock || serializeLock(next) !== serializeLock(previousLock))) await writeLock(lockPath, next);
  }
}

/** The summary (table or --json), then exit 1 naming the failed images. */
function report(ctx: CliContext, options: BuildCommandOptions, results: VariantResult[]): void {
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

/**
 * The declared build args of the project's variants outside this selection (for the ARG
 * check of a --build-arg only they declare). A variant that does not load or render counts
 * as declaring none: its own build reports that.
 */
function declaredElsewhere(ctx: CliContext, options: BuildCommandOptions, store: TemplateStore, selected: Plan): () => Promise<(readonly string[])[]> {
  return async () => {
    const ids = new Set(selected.variants.map((v) => v.id));
    const all = await loadPlan({
      cwd: ctx.cwd,
      store,
      ...(options.config !== undefined ? { configFile: options.config } : {}),
      ...(options.set?.length ? { set: options.set } : {}),
      ...(options.buildArg?.length ? { buildArgs: options.buildArg } : {}),
    }).catch(() => undefined);
    const others = (all?.variants ?? []).filter((v) => !ids.has(v.id));
    return Promise.all(others.map((v) => renderVariant(v, { store }).then(declaredArgs, () => [])));
  };
}

/** `runner-kit build`: load, render, build (and push) every selected variant, lock, summary. */
export async function runBuildCommand(ctx: CliContext, options: BuildCommandOptions): Promise<void> {
  const buildOptions = buildOptionsFrom(ctx, options);
  // One template store: each template file is read and compiled once for all variants.
  const store = new TemplateStore();
  const plan = await loadPlan({
    cwd: ctx.cwd,
    store,
    ...(options.config !== undefined ? { configFile: options.config } : {}),
    ...(options.team !== undefined ? { team: options.team } : {}),
    ...(options.teams === false ? { teams: false } : {}),
    ...(options.images.length > 0 ? { images: options.images } : {}),
    ...(options.set?.length ? { set: options.set } : {}),
    ...(options.buildArg?.length ? { buildArgs: options.buildArg } : {}),
    ...(options.platform?.length ? { platforms: options.platform } : {}),
  });
  traceMark("project loaded");
  if (options.junit !== undefined && !options.smoke) throw usageError("--junit reports smoke jobs, so it needs --smoke", { hint: "add --smoke, or drop --junit" });
  if ((options.envFile !== undefined || (options.variable ?? []).length > 0) && !options.smoke) throw usageError("--variable and --env-file give the smoke jobs variables, so they need --smoke", { hint: "add --smoke, or drop them" });
  checkSecrets(plan.variants, buildOptions.secrets ?? {}, ctx.env);
  const lockPath = join(plan.rootDir, LOCK_FILE_NAME);
  const previousLock = await readLock(lockPath);
  // A missing lock needs no content hash: said before the daemon is asked anything.
  if (options.locked && plan.variants.length > 0) requireLockFile(lockPath, previousLock);
  // The requested builder (flag, project, else BuildKit) is part of every content hash; the
  // daemon is asked whether it has it only when something is built.
  const builder = requestedBuilder(options.builder, plan.builder).kind;
  refuseSshWithout(builder, buildOptions.ssh);
  // Rendered for that builder: templates may differ (apt cache mounts under BuildKit).
  const all = await prepareVariants(plan.variants, (variant) => renderVariant(variant, { store, builder }), {
    ...(buildOptions.target !== undefined ? { target: buildOptions.target } : {}),
    elsewhere: declaredElsewhere(ctx, options, store, plan),
    builder,
    secretIds: Object.keys(buildOptions.secrets ?? {}),
    sshIds: Object.keys(buildOptions.ssh ?? {}),
    hashCache: new HashCache(runnerKitCacheDir(ctx.env), plan.rootDir),
  });

  const split = await splitBuild(ctx.cwd, options, all);
  const { prepared } = split;
  if (split.pushPlatform !== undefined) Object.assign(buildOptions, { push: true, pushPlatform: split.pushPlatform });
  if (split.pushIndex) Object.assign(buildOptions, { push: true, pushIndex: split.pushIndex });
  if (options.locked) checkLocked(lockPath, previousLock, prepared);

  const { deps, smoke, images } = await commandDeps(ctx, options, plan);
  await checkBasePlatforms(prepared, { ...deps, reporter: quietReporter(() => {}) });
  if (options.dryRun) return reportDryRun(ctx, options, await dryRun(prepared, labelledImagesSnapshot(images), { ...deps, reporter: quietReporter(() => {}) }, buildOptions));
  const reporter = chooseReporter(ctx, options.quiet === true, options.progress);
  let results: VariantResult[];
  try {
    results = await buildPrepared(prepared, { ...deps, reporter }, buildOptions);
  } finally {
    reporter.close();
  }
  if (options.junit !== undefined) {
    const { junitReportAll } = await import("../smoke/report.js");
    await writeFileAtomic(resolve(ctx.cwd, options.junit), junitReportAll(smoke?.reports ?? [], (t) => ctx.secrets.redact(t)));
  }
  await recordLock(ctx, options, lockPath, previousLock, prepared, results);
  report(ctx, options, results);
}
