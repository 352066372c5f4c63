/**
 * Provisioning, GitLab Runner's order made concurrent where the daemon allows it: the job
 * image and the service images are pulled while a per-build network is made; on a
 * user-defined network services start while the job container is created and the project
 * is copied into it. On the default bridge the job container needs the services' addresses
 * (its link entries): it is created, and the project copied in, as soon as every service
 * has joined the bridge (join-watch.ts), while their starts finish.
 * Everything made is tracked by the run's resources, so cleanup removes it whatever happens next.
 */
import type { EngineContainer } from "../../engine/engine-api.js";
import { failure } from "../../common/errors.js";
import { throwIfAborted, untilAborted } from "./abort.js";
import { errorMessage } from "./outcome.js";
import { privilegedRefused } from "./privileged.js";
import type { JobPlan, PlannedService } from "./plan.js";
import { gitFiles, projectArchive } from "./project.js";
import { ensureImage, type ImageInfo } from "./pull.js";
import { resourceName } from "./resources.js";
import type { ServiceResult } from "./result.js";
import { detectShellCommand } from "./script.js";
import { formatPlatform } from "../../reference/platform.js";
import { isUserDefined, linkHosts } from "./network-mode.js";
import { createBeforeNetwork, networkFields, serviceEnv, startService, type StartedService } from "./services.js";
import { JoinWatch } from "./join-watch.js";
import type { RunSession } from "./session.js";
import { attachJob } from "./stage.js";
import { servicePorts } from "./wait.js";

/** A service that is started: its image, its environment and the ports it is checked on. */
export interface ServiceLaunch extends PlannedService {
  image: ImageInfo;
  env: string[];
  ports: number[];
}

export interface Provisioned {
  image: ImageInfo;
  container: EngineContainer;
  launches: ServiceLaunch[];
  /** Services whose container started, in the order they did. */
  started: StartedService[];
  /** When each service's start request was sent, by index. */
  startTimes: Map<number, number>;
  /** Settles once every service started or failed: the first failure, else undefined. */
  servicesStarting: Promise<unknown>;
  /** The job container's attach, made while the services start (the first stage's). */
  attached: Promise<NodeJS.ReadWriteStream>;
}

export interface ProvisionOptions {
  projectDir: string;
  /** Marked `started` as services start. */
  results: ServiceResult[];
  /** Aborted when a service cannot start: the job cannot run as GitLab Runner would run it. */
  stageStop: AbortController;
}

export async function provision(s: RunSession, plan: JobPlan, o: ProvisionOptions): Promise<Provisioned> {
  // The project's file list is read while the daemon works.
  const projectFiles = gitFiles(o.projectDir);
  s.log.line(`Using Docker executor with image ${plan.imageRef} ...`);
  // Only a per-build network is made (and removed) by the run; network_mode's exists already.
  const creatingNetwork: Promise<unknown> = plan.network.kind === "per-build" ? s.run.network() : Promise.resolve();
  // The runner config's "/path" volumes exist before any container mounts them (else Docker makes them, unlabelled).
  const creatingVolumes = Promise.all(plan.volumes.map((v) => s.run.resources.volume(v.name, s.run.labels("volume"))));
  creatingVolumes.catch(() => undefined);
  // On the default bridge, the services' joins are watched from before they start.
  const watching = plan.network.kind === "default" && plan.services.length > 0 ? JoinWatch.open(s.docker, "bridge") : Promise.resolve(undefined);
  try {
    const [[image, ...serviceImages], joins] = await untilAborted(Promise.all([pullImages(s, plan), watching]), s.signal);
    await creatingVolumes;
    return await provisionWith(s, plan, o, { image, serviceImages, projectFiles, creatingNetwork, ...(joins ? { joins } : {}) });
  } finally {
    void watching.then((w) => w?.close());
  }
}

interface Pulled {
  image: ImageInfo;
  serviceImages: (ImageInfo | undefined)[];
  projectFiles: Promise<string[] | undefined>;
  creatingNetwork: Promise<unknown>;
  joins?: JoinWatch;
}

async function provisionWith(s: RunSession, plan: JobPlan, o: ProvisionOptions, p: Pulled): Promise<Provisioned> {
  const { image, serviceImages, projectFiles, creatingNetwork } = p;
  // Containers are created while the network is made; they start once it exists.
  const networkReady = creatingNetwork.then(() => undefined);
  networkReady.catch(() => undefined);
  throwIfAborted(s.signal);
  s.trace("images inspected");
  s.log.line(`Using docker image ${image.id} for ${plan.imageRef} ...`);

  const launches = plan.services.flatMap((service): ServiceLaunch[] => {
    const img = serviceImages[service.index];
    if (!img || service.aliases.length === 0) return [];
    const env = serviceEnv(plan.variables, service.spec.variables);
    return [{ ...service, image: img, env, ports: servicePorts(img, env) }];
  });
  const startTimes = new Map<number, number>();
  const started: StartedService[] = [];
  const links = launches.map(() => deferred<{ id: string; ips: string[] } | undefined>());
  const servicesStarting = startServices(s, plan, launches, {
    ...o, networkReady, startTimes, started, links, ...(p.joins ? { joins: p.joins } : {}), ...(plan.runnerSource ? { runnerSource: plan.runnerSource } : {}),
  });
  // No DNS between containers: the job reaches services through link entries, so it waits for their addresses.
  const extraHosts = isUserDefined(plan.network) ? [] : await linkEntries(launches, links);
  if (extraHosts.length > 0) s.trace("service addresses known");
  const container = await createJobContainer(s, plan, image, networkReady, extraHosts).catch((error: unknown) => {
    throw refusedSettings(error, plan.runnerSource);
  });
  s.trace("job container created");
  await container.putArchive(await projectArchive(o.projectDir, plan.buildDir, projectFiles, plan.projectModes), { path: "/" });
  s.trace("project copied in");
  // Attached now, while the services may still be starting: the first stage then only starts it.
  const attached = attachJob(container);
  attached.then((stream) => stream.on("error", () => undefined), () => undefined);
  await creatingNetwork;
  throwIfAborted(s.signal);
  return { image, container, launches, started, startTimes, servicesStarting, attached };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** The link entries of every service that has an address, in the services' order (a service that could not start has none). */
async function linkEntries(launches: ServiceLaunch[], links: Deferred<{ id: string; ips: string[] } | undefined>[]): Promise<string[]> {
  const known = await Promise.all(links.map((l) => l.promise));
  return linkHosts(launches.flatMap((launch, i) => {
    const link = known[i];
    return link ? [{ aliases: launch.aliases, id: link.id, ips: link.ips }] : [];
  }));
}

/** The job image, then one entry per service: its image, or undefined when it is not started (no host name). */
function pullImages(s: RunSession, plan: JobPlan): Promise<[ImageInfo, ...(ImageInfo | undefined)[]]> {
  const deps = { docker: s.docker, resolveAuth: s.resolveAuth, log: s.log.line, ...(s.signal ? { signal: s.signal } : {}) };
  return Promise.all([
    ensureImage(deps, plan.imageRef, plan.pullPolicy, plan.platform),
    ...plan.services.map((svc) => (svc.aliases.length === 0 ? Promise.resolve(undefined) : ensureImage(deps, svc.spec.name, svc.pullPolicy))),
  ]);
}

interface StartContext extends ProvisionOptions {
  networkReady: Promise<unknown>;
  runnerSource?: string;
  startTimes: Map<number, number>;
  started: StartedService[];
  /** Each launch's container id and addresses once known (undefined when it could not start). */
  links: Deferred<{ id: string; ips: string[] } | undefined>[];
  joins?: JoinWatch;
}

/** Start every service at once; resolves to the first failure (as a job failure), else undefined. */
async function startServices(s: RunSession, plan: JobPlan, launches: ServiceLaunch[], c: StartContext): Promise<unknown> {
  let firstFailure: unknown;
  await Promise.all(
    launches.map(async (launch, i) => {
      s.log.line(`Starting service ${launch.spec.name} ...`);
      const link = c.links[i] as Deferred<{ id: string; ips: string[] } | undefined>;
      try {
        const svc = await startService({
          docker: s.docker, resources: s.run.resources, runId: s.run.runId, labels: (role) => s.run.labels(role), network: plan.network,
          image: launch.image.ref, spec: launch.spec, index: launch.index, aliases: launch.aliases, env: launch.env, now: s.now, hostConfig: launch.hostConfig,
          onStart: (t) => c.startTimes.set(launch.index, t), networkReady: c.networkReady,
          ...(c.joins ? { joins: c.joins } : {}), onAddresses: (id, ips) => link.resolve({ id, ips }),
        });
        link.resolve(undefined); // no-op when the addresses came first (a promise settles once)
        s.trace(`service ${launch.index} started`);
        c.started.push(svc);
        (c.results[launch.index] as ServiceResult).started = true;
      } catch (error) {
        link.resolve(undefined);
        const refused = launch.hostConfig.Privileged ? privilegedRefused(error, `the service ${launch.spec.name}`, "services_privileged", c.runnerSource) : undefined;
        firstFailure ??= refused ?? failure(`the service ${launch.spec.name} could not be started: ${errorMessage(refusedSettings(error, c.runnerSource)).trim()}`, {
          where: launch.spec.name,
          hint: "check its entrypoint and command",
        });
        c.stageStop.abort();
      }
    }),
  );
  return firstFailure;
}

/** The job container: the shell-detect Cmd, the job's variables, stdin open for the stage scripts. */
function createJobContainer(s: RunSession, plan: JobPlan, image: ImageInfo, networkReady: Promise<unknown>, extraHosts: string[]): Promise<EngineContainer> {
  const name = resourceName(s.run.runId, "build");
  const entrypoint = plan.image.entrypoint;
  const net = networkFields(plan.network, ["build", name]);
  return s.run.resources.container(
    createBeforeNetwork(s.docker, {
      name,
      // As GitLab Runner: with image: docker: platform, the container is created for the image's own platform.
      ...(plan.platform && image.platform ? { platform: formatPlatform(image.platform) } : {}),
      Image: image.ref,
      Cmd: detectShellCommand(),
      ...(entrypoint && entrypoint.length > 0 ? { Entrypoint: entrypoint } : {}),
      Env: Object.entries(plan.variables).map(([k, v]) => `${k}=${v}`),
      WorkingDir: plan.buildDir,
      Hostname: plan.hostname,
      ...(plan.user ? { User: plan.user } : {}),
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      Labels: s.run.labels("build"),
      ...net,
      // The runner appends its link entries after the config's extra_hosts.
      HostConfig: { ...plan.jobHostConfig, ...net.HostConfig, ExtraHosts: [...(plan.jobHostConfig.ExtraHosts ?? []), ...extraHosts] },
    }, networkReady),
  );
}

/** The daemon refusing a container's settings (400/500 at create) names the runner config they came from. */
function refusedSettings(error: unknown, runnerSource: string | undefined): unknown {
  const status = (error as { statusCode?: number }).statusCode;
  if (runnerSource === undefined || (status !== 400 && status !== 500)) return error;
  const reason = errorMessage(error).replace(/^\(HTTP code \d+\) [a-z ]+ - /, "").trim();
  return failure(`the Docker daemon refused to create the job container with the runner config's settings: ${reason}`, {
    where: runnerSource,
    hint: "check that [runners.docker] key: it must be valid for the Docker Engine API (GitLab Runner passes it on as written)",
    cause: error,
  });
}
