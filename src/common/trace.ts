/**
 * Phase timestamps for performance work: with RUNNER_KIT_TRACE=1 a command prints each
 * phase's time since the process started (Node's time origin) on stderr at the end. Costs
 * nothing when off.
 *
 * `smoke` passes its tracer down as a function; `build` marks phases deep in the builder
 * (the walk, the hash, the BuildKit session's file sync) through the process's trace
 * (`startTrace`, `traceMark`), which is off until a command starts it: a mark is then one
 * undefined check.
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

let processTracer: PhaseTracer | undefined;

/** Start the process's trace when `env` asks for it (RUNNER_KIT_TRACE); the tracer, or undefined when off. */
export function startTrace(env: NodeJS.ProcessEnv): PhaseTracer | undefined {
  if (!traceEnabled(env)) return undefined;
  processTracer ??= phaseTracer();
  return processTracer;
}

/** Mark a phase on the process's trace; nothing when it was not started. */
export function traceMark(phase: string): void {
  if (processTracer !== undefined) processTracer.mark(phase);
}

/** Stop the process's trace (at a command's end, and in tests). */
export function stopTrace(): void {
  processTracer = undefined;
}

/**
 * Run a command with the process's trace started when RUNNER_KIT_TRACE asks for it, and its
 * phases printed on `stderr` at the end, whatever happened. `run` gets the mark function
 * (noTrace when off) for code that takes its trace as a parameter (smoke).
 */
export async function tracedCommand<T>(name: string, io: { env: NodeJS.ProcessEnv; stderr: { write(text: string): unknown } }, run: (trace: Trace) => Promise<T>): Promise<T> {
  const tracer = startTrace(io.env);
  try {
    return await run(tracer?.mark ?? noTrace);
  } finally {
    if (tracer) {
      io.stderr.write(`runner-kit ${name} phases (ms since process start):\n${tracer.lines().join("\n")}\n`);
      stopTrace();
    }
  }
}
