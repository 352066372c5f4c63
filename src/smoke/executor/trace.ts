/** The phase trace (RUNNER_KIT_TRACE=1) smoke passes down; it lives in common/trace.ts, shared with build's. */
export { noTrace, phaseTracer, traceEnabled, type PhaseTracer, type Trace } from "../../common/trace.js";
