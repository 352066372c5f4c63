

/** One line of the Docker Engine's newline-delimited JSON progress stream. */
export interface StreamEvent {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { code?: number; message?: string };
  aux?: unknown;
}

export class StreamError extends Error {
  constructor(
    message: string,
    readonly events: StreamEvent[],
  ) {
    super(message);
    this.name = "StreamError";
  }
}

/**
 * Read a progress stream to its end, calling onEvent for each event. Unlike dockerode's
 * followProgress, an `errorDetail`/`error` line rejects: the daemon reports failed builds
 * and pushes that way after it has already answered 200.
 */
export function readProgress(stream: NodeJS.ReadableStream, onEvent: (event: StreamEvent) => void = () => {}): Promise<StreamEvent[]> {
  return new Promise((resolve, reject) => {
    const events: StreamEvent[] = [];
    let buffer = "";
    let failed: string | undefined;
    const handleLine = (line: string) => {
      if (!line.trim()) return;
      let event: StreamEvent;
      try {
        event = JSON.parse(line) as StreamEvent;
      } catch {
        event = { stream: line };
      }
      events.push(event);
      if (failed === undefined && (event.errorDetail || event.error)) {
        failed = event.errorDetail?.message ?? event.error ?? "unknown error";
      }
      onEvent(event);
    };
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        handleLine(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    });
    stream.on("error", reject);
    stream.on("end", () => {
      handleLine(buffer);
      if (failed !== undefined) reject(new StreamError(failed, events));
      else resolve(events);
    });
  });
}
