/**
 * One stage in the job container, as the Docker executor runs it: attach, start the
 * (same, stopped) container, write the script to stdin and close it, copy the demuxed
 * output, wait for the exit. A time limit or an abort stops the container.
 */
import { StringDecoder } from "node:string_decoder";
import { demuxStream } from "../../engine/demux.js";
import type { EngineContainer } from "../../engine/engine-api.js";

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
  /**
   * The marker the script's EXIT trap prints, on stdout and on stderr, with the shell's exit code ("<marker> <code>").
   * When given, that line ends the stage at once with that code, without waiting for the
   * daemon to report the container's exit: only for the last stage a container runs (it is
   * removed next) and only when the shell is the container's main process, so its exit code
   * is the container's.
   */
  exitMarker?: string;
  /** The container's attach, made ahead (while its services started); else the stage attaches first. */
  attached?: Promise<NodeJS.ReadWriteStream>;
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

/** The job container's attach: stdin in, the multiplexed output out. Made before the container starts. */
export function attachJob(container: EngineContainer): Promise<NodeJS.ReadWriteStream> {
  return container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true });
}

export async function runStage(container: EngineContainer, options: StageOptions): Promise<StageOutcome> {
  const stream = await (options.attached ?? attachJob(container));
  options.trace?.("attached");
  let markedExit: (code: number) => void = () => undefined;
  const marked = new Promise<number>((resolve) => (markedExit = resolve));
  const exitPrefix = options.exitMarker === undefined ? undefined : `${options.exitMarker} `;
  // The marker comes on stdout and on stderr: the stage ends once both streams have shown it
  // (stdout and stderr arrive independently; neither loses a line that came before it).
  const markedOn = new Set<"out" | "err">();
  const onLineOf = (stream: "out" | "err") => (line: string) => {
    if (exitPrefix !== undefined && line.startsWith(exitPrefix)) {
      const code = Number(line.slice(exitPrefix.length));
      if (Number.isInteger(code)) {
        markedOn.add(stream);
        if (markedOn.size === 2) markedExit(code);
        return;
      }
    }
    options.onLine(line);
  };
  // Decoded and split synchronously, frame by frame: lines keep the order they arrived in.
  const outText = new StringDecoder("utf8");
  const errText = new StringDecoder("utf8");
  const outLines = new LineSplitter(onLineOf("out"));
  const errLines = new LineSplitter(onLineOf("err"));
  demuxStream(stream, (c) => outLines.push(outText.write(c)), (c) => errLines.push(errText.write(c)));
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
    const waiting = container.wait().then((w) => ({ code: w.StatusCode, early: false }));
    waiting.catch(() => undefined);
    const exit = await Promise.race([waiting, marked.then((code) => ({ code, early: true }))]);
    // The output stream ends soon after the exit; don't hang on a half-closed socket.
    if (!exit.early) await Promise.race([ended, new Promise((r) => setTimeout(r, 2000).unref())]);
    if (timedOut || aborted) await stopped;
    outLines.push(outText.end());
    errLines.push(errText.end());
    outLines.flush();
    errLines.flush();
    return { exitCode: timedOut || aborted ? undefined : exit.code, timedOut, aborted };
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener("abort", onAbort);
    (stream as unknown as { destroy?: () => void }).destroy?.();
  }
}
