/**
 * Phase timestamps for performance work: with RUNNER_KIT_TRACE=1, `runner-kit smoke` prints
 * each phase's time since the process started (Node's time origin) on stderr at the end.
 * Costs nothing when off.
 */
import { performance } from "node:perf_hooks";

export type Trace = (phase: string) => void;

export const noTrace: Trace = () => undefined;

export interface PhaseTracer {
  mark: Trace;
  /** One line per phase: "   123.4 ms  phase". */
  lines(): string[];
}

export function phaseTracer(): PhaseTracer {
  const marks: [string, number][] = [["node bootstrap done", performance.nodeTiming.bootstrapComplete]];
  return {
    mark: (phase) => void marks.push([phase, performance.now()]),
    lines: () => marks.map(([phase, t]) => `${t.toFixed(1).padStart(8)} ms  ${phase}`),
  };
}

export function traceEnabled(env: NodeJS.ProcessEnv): boolean {
  return env.RUNNER_KIT_TRACE !== undefined && env.RUNNER_KIT_TRACE !== "" && env.RUNNER_KIT_TRACE !== "0";
}
