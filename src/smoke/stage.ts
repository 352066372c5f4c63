/**
 * One stage in the job container, as the Docker executor runs it: attach, start the
 * (same, stopped) container, write the script to stdin and close it, copy the demuxed
 * output, wait for the exit. A time limit or an abort stops the container.
 */
import { PassThrough } from "node:stream";
import { demuxStream } from "../docker/demux.js";
import type { EngineContainer } from "../docker/engine-api.js";

export interface StageOutcome {
  /** The shell's exit code; undefined when the stage was stopped (timeout, abort). */
  exitCode: number | undefined;
  timedOut: boolean;
  aborted: boolean;
}

export interface StageOptions {
  script: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Complete output lines (stdout and stderr interleaved as they arrive), without "\n". */
  onLine: (line: string) => void;
  trace?: (phase: string) => void;
}

/** Splits chunks into lines; `flush` emits a trailing partial line. */
export class LineSplitter {
  private buffer = "";
  constructor(private readonly emit: (line: string) => void) {}
  push(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf("\n")) >= 0) {
      this.emit(this.buffer.slice(0, nl).replace(/\r$/, ""));
      this.buffer = this.buffer.slice(nl + 1);
    }
  }
  flush(): void {
    if (this.buffer !== "") this.emit(this.buffer);
    this.buffer = "";
  }
}

function onceEnded(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", () => resolve());
  });
}

export async function runStage(container: EngineContainer, options: StageOptions): Promise<StageOutcome> {
  const stream = await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true });
  options.trace?.("attached");
  const out = new PassThrough();
  const err = new PassThrough();
  const outLines = new LineSplitter(options.onLine);
  const errLines = new LineSplitter(options.onLine);
  out.setEncoding("utf8").on("data", (c: string) => outLines.push(c));
  err.setEncoding("utf8").on("data", (c: string) => errLines.push(c));
  demuxStream(stream, (c) => out.write(c), (c) => err.write(c));
  const ended = onceEnded(stream);

  let timedOut = false;
  let aborted = false;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      container.stop({ t: 1 }).catch(() => undefined).finally(resolve);
    };
    timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    onAbort = () => {
      aborted = true;
      container.kill().catch(() => undefined).finally(resolve);
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
  });

  try {
    if (!aborted) {
      await container.start();
      options.trace?.("started");
      stream.write(options.script);
      stream.end();
    }
    const waited = (await container.wait()) as { StatusCode: number };
    // The output stream ends soon after the exit; don't hang on a half-closed socket.
    await Promise.race([ended, new Promise((r) => setTimeout(r, 2000).unref())]);
    if (timedOut || aborted) await stopped;
    outLines.flush();
    errLines.flush();
    return { exitCode: timedOut || aborted ? undefined : waited.StatusCode, timedOut, aborted };
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener("abort", onAbort);
    (stream as unknown as { destroy?: () => void }).destroy?.();
  }
}
