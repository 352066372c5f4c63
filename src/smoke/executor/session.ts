/**
 * What every phase of one smoke run shares: the daemon, the run's identity and resources,
 * the job log, the clock, the trace and Ctrl-C.
 */
import type { ResolveAuth } from "../../auth/lazy-resolver.js";
import type { EngineApi } from "../../engine/engine-api.js";
import type { JobLog } from "./job-log.js";
import type { RunStart } from "./start.js";
import type { Trace } from "../../common/trace.js";

export interface RunSession {
  docker: EngineApi;
  run: RunStart;
  log: JobLog;
  trace: Trace;
  now: () => number;
  /** When the run began. */
  startedAt: number;
  signal?: AbortSignal;
  resolveAuth?: ResolveAuth;
}
