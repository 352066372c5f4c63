import type { BuildOutcome } from "../image-builder.js";
import type { StatusResponse, Vertex } from "./messages.js";

const TAIL_LINES = 20;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
/** What BuildKit writes on the vertices it stops because another one failed. */
const CANCELED = /context canceled|^canceled$/i;
/** gRPC's wrapping of an error a session method answered with: the message is what users read. */
const RPC_PREFIX = /rpc error: code = \w+ desc = /g;

/** BuildKit's step that reads a cache-from image's cache metadata. */
const CACHE_IMPORT = /^importing cache manifest from /;

function cleanError(error: string): string {
  return error.replace(RPC_PREFIX, "").trim();
}

interface StepState {
  name: string;
  announced: boolean;
  finished: boolean;
  /** The step's own output, last lines only. */
  tail: string[];
  /** A log line not yet ended by a newline. */
  partial: string;
}

/** Seconds between two protobuf timestamps, as BuildKit's plain progress shows them. */
function seconds(vertex: Vertex): string | undefined {
  const start = vertex.started as { seconds?: number; nanos?: number } | null | undefined;
  const end = vertex.completed as { seconds?: number; nanos?: number } | null | undefined;
  if (!start || !end) return undefined;
  const ms = ((end.seconds ?? 0) - (start.seconds ?? 0)) * 1000 + ((end.nanos ?? 0) - (start.nanos ?? 0)) / 1e6;
  return `${(Math.max(ms, 0) / 1000).toFixed(1)}s`;
}

/** A log chunk's complete lines, without colour or carriage-return progress redraws. */
function plainLines(text: string): { lines: string[]; rest: string } {
  const parts = text.split("\n");
  const rest = parts.pop() ?? "";
  const lines = parts
    .map((raw) => (raw.split("\r").filter((p) => p !== "").pop() ?? "").replace(ANSI, "").replace(/\s+$/, ""))
    .filter((line) => line !== "");
  return { lines, rest };
}

/**
 * Turns BuildKit's status stream (decoded `moby.buildkit.trace` messages) into progress
 * lines — one when a step starts (`[2/5] RUN make`), one when it ends (`… DONE 1.2s`,
 * `… CACHED`, `… ERROR: …`), its output lines, warnings — and remembers per step its last
 * output lines, so a failed build names the step and shows what it printed.
 */
export class BuildKitStatusTracker {
  private readonly steps = new Map<string, StepState>();
  private readonly doneStatuses = new Set<string>();
  private failed: { step: string; error: string; tail: string[] } | undefined;
  private imageId: string | undefined;
  private streamError: string | undefined;

  /** Feed one decoded status message; returns the lines it produced. */
  push(status: StatusResponse): string[] {
    const lines: string[] = [];
    for (const vertex of status.vertexes) this.vertex(vertex, lines);
    for (const log of status.logs) {
      const step = this.step(log.vertex);
      const { lines: complete, rest } = plainLines(step.partial + Buffer.from(log.msg).toString("utf8"));
      step.partial = rest;
      for (const line of complete) this.output(step, line, lines);
    }
    for (const s of status.statuses) {
      if (!s.completed || this.doneStatuses.has(s.ID)) continue;
      this.doneStatuses.add(s.ID);
      lines.push(`${s.ID} done`);
    }
    for (const warning of status.warnings) lines.push(`WARNING: ${Buffer.from(warning.short).toString("utf8").trim()}`);
    return lines;
  }

  /** The `moby.image.id` aux message. */
  image(id: string): void {
    this.imageId = id;
  }

  /** The error line that ends a failed build stream (`errorDetail`). */
  error(message: string): void {
    this.streamError ??= cleanError(message);
  }

  outcome(): BuildOutcome {
    const outcome: BuildOutcome = { tail: [] };
    if (this.imageId) outcome.imageId = this.imageId;
    const error = this.streamError ?? this.failed?.error;
    if (error !== undefined) outcome.error = error;
    if (this.failed) {
      outcome.failedStep = this.failed.step;
      outcome.tail = [...this.failed.tail];
    }
    return outcome;
  }

  /**
   * The outcome when the build stopped without BuildKit saying why (a dropped connection):
   * the step that was running, with its last lines, carries `error`.
   */
  interrupted(error: string): BuildOutcome {
    const outcome = this.outcome();
    outcome.error = error;
    const running = [...this.steps.values()].filter((s) => s.announced && !s.finished).pop();
    if (!outcome.failedStep && running) {
      outcome.failedStep = running.name;
      outcome.tail = [...running.tail];
    }
    return outcome;
  }

  private step(digest: string): StepState {
    let step = this.steps.get(digest);
    if (!step) this.steps.set(digest, (step = { name: digest, announced: false, finished: false, tail: [], partial: "" }));
    return step;
  }

  private vertex(vertex: Vertex, lines: string[]): void {
    const step = this.step(vertex.digest);
    if (vertex.name) step.name = vertex.name;
    if (step.finished) return;
    if (vertex.started && !vertex.completed && !step.announced) {
      step.announced = true;
      lines.push(step.name);
    }
    if (!vertex.completed) return;
    step.finished = true;
    if (step.partial.trim()) this.output(step, step.partial, lines);
    step.partial = "";
    if (vertex.error && CACHE_IMPORT.test(step.name)) {
      // A cache-from image that cannot be read (not pushed yet, unreachable) only means no cache: the build goes on.
      lines.push(`WARNING: ${step.name}: ${cleanError(vertex.error)}; building without that cache`);
    } else if (vertex.error) {
      const error = cleanError(vertex.error);
      lines.push(`${step.name} ERROR: ${error}`);
      const first = this.failed === undefined || (CANCELED.test(this.failed.error) && !CANCELED.test(error));
      if (first) this.failed = { step: step.name, error, tail: step.tail };
    } else if (vertex.cached) {
      lines.push(`${step.name} CACHED`);
    } else {
      const took = seconds(vertex);
      lines.push(`${step.name} DONE${took ? ` ${took}` : ""}`);
    }
  }

  private output(step: StepState, line: string, lines: string[]): void {
    const clean = line.replace(ANSI, "").replace(/\s+$/, "");
    if (clean === "") return;
    lines.push(clean);
    step.tail.push(clean);
    if (step.tail.length > TAIL_LINES) step.tail.shift();
  }
}
