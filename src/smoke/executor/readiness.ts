/**
 * The services' readiness as the job shell reports it (script.ts waitPreamble prints the
 * events, wait.ts reads them): which services are checked, what the log says about each,
 * and what goes into the result. GitLab Runner's wording for a service that did not start.
 */
import type { JobLog } from "./job-log.js";
import type { ServiceLaunch } from "./provision.js";
import type { ServiceResult } from "./result.js";
import { serviceLogs, type StartedService } from "./services.js";
import type { WaitEvent } from "./wait.js";

export interface ReadinessContext {
  log: JobLog;
  now: () => number;
  /** When the run began: the fallback start time of a service. */
  runStartedAt: number;
  imageRef: string;
  results: ServiceResult[];
  startTimes: Map<number, number>;
  /** Services whose container started (for their logs). */
  started: StartedService[];
}

export class ReadinessWatch {
  /** The job shell stopped because a service was not ready (--strict-services). */
  strictStop = false;
  /** Services that did not accept a connection in time. */
  readonly notReady: string[] = [];

  private constructor(
    private readonly c: ReadinessContext,
    /** The services the job shell checks. */
    readonly checked: ServiceLaunch[],
    readonly waitSeconds: number,
  ) {}

  /**
   * Which services are checked — those with a port to check, when the wait is on — with a
   * warning for each that has none, and the log line that announces the wait.
   */
  static announce(c: ReadinessContext, launches: ServiceLaunch[], waitSeconds: number | undefined): ReadinessWatch {
    if (waitSeconds === undefined) return new ReadinessWatch(c, [], 0);
    for (const launch of launches.filter((l) => l.ports.length === 0)) {
      (c.results[launch.index] as ServiceResult).error = `service "${launch.spec.name}" has no exposed ports`;
      c.log.warn(`service "${launch.spec.name}" has no exposed ports`);
    }
    const checked = launches.filter((l) => l.ports.length > 0);
    if (checked.length > 0) c.log.line(`Waiting for services to be up and running (timeout ${waitSeconds} seconds)...`);
    return new ReadinessWatch(c, checked, waitSeconds);
  }

  /** One event of the wait, in the order the job shell printed them. */
  handle = async (event: WaitEvent): Promise<void> => {
    if (event.kind === "strict") return void (this.strictStop = true);
    if (event.kind === "none") {
      for (const launch of this.checked) (this.c.results[launch.index] as ServiceResult).error = "not checked: the job image has neither bash nor nc";
      this.c.log.warn(`cannot check whether services are ready: the image ${this.c.imageRef} has neither bash nor nc to probe TCP ports`);
      return;
    }
    const launch = this.checked.find((l) => l.index === event.index);
    if (!launch) return;
    if (event.kind === "ready") return this.ready(launch, event.port);
    await this.timedOut(launch);
  };

  private ready(launch: ServiceLaunch, port: number): void {
    const readyMs = Math.max(0, this.c.now() - (this.c.startTimes.get(launch.index) ?? this.c.runStartedAt));
    Object.assign(this.c.results[launch.index] as ServiceResult, { ready: true, readyMs, port });
    this.c.log.line(`Service ${launch.spec.name} is ready on port ${port} after ${(readyMs / 1000).toFixed(2)} s`);
  }

  private async timedOut(launch: ServiceLaunch): Promise<void> {
    const { log } = this.c;
    const name = launch.spec.name;
    const error = `service "${name}" did not accept a TCP connection on port ${launch.ports.join(", ")} within ${this.waitSeconds} s`;
    (this.c.results[launch.index] as ServiceResult).error = error;
    this.notReady.push(name);
    log.note(`Service ${name} probably didn't start properly.`);
    const svc = this.c.started.find((s) => s.index === launch.index);
    const logs = svc ? await serviceLogs(svc.container) : "(the service container did not start)";
    for (const line of ["", `*** WARNING: Service ${name} probably didn't start properly.`, "", "Health check error:", error, "", "Service container logs:"]) log.line(line);
    for (const line of logs.replace(/\n$/, "").split("\n")) log.line(line);
    for (const line of ["", "*********", ""]) log.line(line);
  }
}
