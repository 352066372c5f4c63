/**
 * `runner-kit doctor`: the daemon (address, how it was found, version), the builder a build
 * would get, the platforms it can run, the credential sources and helpers, and each
 * registry the project uses, reachable and accepting the credentials. Reads only. Exit 0
 * when all is well, 1 naming each problem (its fix is printed with it); outside a project
 * the project checks are skipped and the report says so.
 */
import { release } from "node:os";
import { relative, resolve } from "node:path";
import type Docker from "dockerode";
import { print, printJson, warn, type CliContext } from "../common/context.js";
import { failure } from "../common/errors.js";
import { connectDocker, pingDocker } from "../engine/client.js";
import type { DaemonAddress } from "../engine/address.js";
import { insecureRegistryPredicate, type RegistryInfo } from "../engine/insecure-registries.js";
import { createCredentialResolver } from "../auth/resolver.js";
import { describeSkippedSources } from "../auth/credential-problems.js";
import { registryTransport } from "../push/registry-transport.js";
import { binfmtDirReader, binfmtEntries } from "../bake/platform-binfmt.js";
import { builderCheck, daemonCheck, daemonDownCheck, platformsCheck, projectPlatformsCheck, type DaemonFacts } from "./daemon-checks.js";
import { credentialChecks } from "./credential-checks.js";
import { findOnPath } from "./on-path.js";
import { loadProject, type LoadedProject } from "./project.js";
import { registryCheck } from "./registry-check.js";
import { doctorDocument, doctorText } from "./report.js";
import { check, type Check } from "./types.js";

export interface DoctorOptions {
  /** -c/--config; when not given, a missing runner-kit.yaml means "not in a project". */
  configFile?: string;
  json?: boolean;
}

export interface DoctorDeps {
  /** Default /proc/sys/fs/binfmt_misc. */
  binfmtDir?: string;
}

interface Daemon {
  docker: Docker;
  address: DaemonAddress;
  version: DaemonFacts;
}

async function findDaemon(ctx: CliContext, checks: Check[]): Promise<Daemon | undefined> {
  let address: DaemonAddress | undefined;
  try {
    const connection = await connectDocker(ctx.env);
    address = connection.address;
    await pingDocker(connection);
    const version = (await connection.docker.version()) as DaemonFacts;
    checks.push(daemonCheck(address, version));
    return { ...connection, version };
  } catch (error) {
    checks.push(daemonDownCheck(address, error));
    return undefined;
  }
}

async function registryChecks(ctx: CliContext, project: LoadedProject, daemon: Daemon | undefined): Promise<Check[]> {
  const resolver = createCredentialResolver({ env: ctx.env, rule: "docker-cli", secrets: ctx.secrets, signal: ctx.signal, warn: (message) => warn(ctx, message) });
  let insecure: Promise<(domain: string) => boolean> | undefined;
  const deps = {
    resolveAuth: (image: string) => resolver.forImage(image),
    credentialProblems: async (image: string) => describeSkippedSources(await resolver.skippedFor(image)),
    insecureRegistry: async (domain: string) =>
      (await (insecure ??= (daemon ? daemon.docker.info() : Promise.resolve({})).then((info: RegistryInfo) => insecureRegistryPredicate(info), () => insecureRegistryPredicate({}))))(domain),
    hasImage: async (image: string) => (daemon ? daemon.docker.getImage(image).inspect().then(() => true, () => false) : false),
    secrets: ctx.secrets,
    fetch: registryTransport({ env: ctx.env }),
  };
  return Promise.all(project.registries.map((use) => registryCheck(use, deps)));
}

/** Every check, in the order of the report. */
export async function doctorChecks(ctx: CliContext, options: DoctorOptions, deps: DoctorDeps = {}): Promise<{ checks: Check[]; projectFile: string | undefined }> {
  const checks: Check[] = [];
  const daemon = await findDaemon(ctx, checks);
  const project = await loadProject(ctx, options.configFile);
  if (daemon) {
    checks.push(builderCheck(daemon.version, project.plan?.builder));
    const entries = binfmtEntries(binfmtDirReader(deps.binfmtDir));
    checks.push(platformsCheck(daemon.address, daemon.version, entries));
    const host = { addressKind: daemon.address.kind, daemon: daemon.version, local: { platform: process.platform, release: release() } };
    const wanted = project.plan ? projectPlatformsCheck(host, project.plan.variants, entries) : undefined;
    if (wanted) checks.push(wanted);
  } else {
    checks.push(check("builder", "-", "skipped", "no daemon answered"), check("platforms", "-", "skipped", "no daemon answered"));
  }
  checks.push(...(await credentialChecks(ctx.env, (program) => findOnPath(program, ctx.env))));
  checks.push(...project.checks);
  if (project.plan) checks.push(...(await registryChecks(ctx, project, daemon)));
  return { checks, projectFile: project.plan?.projectFile };
}

export async function runDoctor(ctx: CliContext, options: DoctorOptions, deps: DoctorDeps = {}): Promise<Check[]> {
  const { checks, projectFile } = await doctorChecks(ctx, options, deps);
  if (options.json) printJson(ctx, doctorDocument(checks, projectFile));
  else print(ctx, doctorText(checks));
  const problems = checks.filter((c) => c.status === "problem");
  if (problems.length > 0) {
    const shown = projectFile ? ` for ${relative(ctx.cwd, projectFile) || resolve(projectFile)}` : "";
    throw failure(`doctor found ${problems.length} problem${problems.length === 1 ? "" : "s"}${shown}: ${problems.map((p) => `${p.area} ${p.subject}`).join(", ")}`, {
      hint: "the report lists each with its fix",
    });
  }
  return checks;
}
