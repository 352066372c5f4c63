import type { StreamEvent } from "../engine/progress.js";
import type { BuildOutcome } from "./image-builder.js";

export type { BuildOutcome };

const TAIL_LINES = 20;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
/**
 * The classic builder's "[Warning] One or more build-args [X] were not consumed". runner-kit
 * sends only the args a Dockerfile declares and checks --build-arg names itself; the
 * daemon still says this for an arg declared only in a stage the target leaves unbuilt, where
 * it means nothing to the user.
 */
const UNCONSUMED_ARGS = /^\[Warning\] One or more build-args \[.*\] were not consumed$/;

/**
 * Scans every event of a classic-builder stream. dockerode's followProgress reports
 * success for a stream that carries an errorDetail; this tracker never does.
 */
export class BuildEventTracker {
  private step: string | undefined;
  private readonly tail: string[] = [];
  private imageId: string | undefined;
  private error: string | undefined;
  private failedStep: string | undefined;
  private partial = "";
  /** The current step's image is not this build's: a FROM, or taken from the cache (" ---> Using cache"). */
  private cachedStep = false;
  private readonly created: string[] = [];

  /** Feed one event; returns the complete output lines it carried (for progress views). */
  push(event: StreamEvent): string[] {
    const lines: string[] = [];
    if (typeof event.stream === "string") {
      const text = this.partial + event.stream;
      const parts = text.split(/\r?\n/);
      this.partial = parts.pop() ?? "";
      for (const raw of parts) {
        // The daemon colours a step's stderr (ESC[91m … ESC[0m): plain text here, colour is the view's business.
        const line = raw.replace(ANSI, "").replace(/\r/g, "").replace(/\s+$/, "");
        if (line === "" || UNCONSUMED_ARGS.test(line)) continue;
        lines.push(line);
        const step = /^Step \d+\/\d+ : .*/.exec(line);
        if (step) {
          this.step = line;
          this.tail.length = 0;
          // A FROM step's " ---> <id>" is the base image: never this build's to remove.
          this.cachedStep = /^Step \d+\/\d+ : FROM /i.test(line);
          continue;
        }
        if (line === " ---> Using cache") this.cachedStep = true;
        const committed = /^ ---> ([0-9a-f]{12,64})$/.exec(line);
        if (committed && !this.cachedStep && this.step) this.created.push(committed[1]!);
        const built = /^Successfully built ([0-9a-f]{12,64})$/.exec(line);
        if (built && !this.imageId) this.imageId = built[1];
        if (line.startsWith(" ---> ") || line.startsWith("Removing intermediate container")) continue;
        this.tail.push(line);
        if (this.tail.length > TAIL_LINES) this.tail.shift();
      }
    }
    if (typeof event.status === "string" && event.status) lines.push(event.id ? `${event.id}: ${event.status}` : event.status);
    const aux = event.aux as { ID?: unknown } | undefined;
    if (aux && typeof aux === "object" && typeof aux.ID === "string") this.imageId = aux.ID;
    if (this.error === undefined && (event.errorDetail || event.error)) {
      this.error = (event.errorDetail?.message ?? event.error ?? "unknown error").trim();
      this.failedStep = this.step;
    }
    return lines;
  }

  /**
   * The images this build committed (one per step, " ---> <id>"), oldest first; steps taken
   * from the cache are left out: those images were there before and other builds use them.
   */
  createdImages(): string[] {
    return [...this.created];
  }

  outcome(): BuildOutcome {
    const tail = this.partial.trim() ? [...this.tail, this.partial.trim()] : [...this.tail];
    const result: BuildOutcome = { tail: tail.slice(-TAIL_LINES) };
    if (this.imageId) result.imageId = this.imageId;
    if (this.error !== undefined) result.error = this.error;
    if (this.failedStep) result.failedStep = this.failedStep;
    return result;
  }
}
