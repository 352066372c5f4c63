import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface EngineRecorder {
  /** unix://… for DOCKER_HOST. */
  host: string;
  /** The JSON bodies of every POST …/containers/create seen so far. */
  createBodies(): Record<string, unknown>[];
  /** How many requests matching `hold` are being held back. */
  held(): number;
  /** Let the held requests (and any later ones) through. */
  release(): void;
  close(): Promise<void>;
}

export interface RecorderOptions {
  /**
   * Requests whose first line matches are held back (with everything after them on the same
   * connection) until `release()`: e.g. /^DELETE [^ ]*\/containers\// keeps every container
   * in place, so a test can see what a client does while its removals are pending.
   */
  hold?: RegExp;
}

/**
 * A byte-for-byte relay on a unix socket in front of the real daemon's socket, keeping what
 * clients send so a test can read the container create requests exactly as the daemon got
 * them. It never parses what it relays, so a connection the daemon upgrades (a container's
 * attach: `Upgrade: tcp`, 101, then the raw multiplexed stream) passes through as it is.
 * Both sides are half-open: a client that ends its side after writing a job's script
 * (stdin's end) still reads the job's output until the daemon ends its own side, and each
 * end is passed on as an end, not as a close, so nothing still buffered is dropped.
 */
export async function startEngineRecorder(upstreamPath = "/var/run/docker.sock", options: RecorderOptions = {}): Promise<EngineRecorder> {
  const dir = mkdtempSync(join(tmpdir(), "rk-engine-rec-"));
  const path = join(dir, "docker.sock");
  const sent: Buffer[][] = [];
  const sockets = new Set<Socket>();
  let held = 0;
  let released = options.hold === undefined;
  const waiting: (() => void)[] = [];
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const chunks: Buffer[] = [];
    sent.push(chunks);
    const upstream = connect({ path: upstreamPath, allowHalfOpen: true });
    for (const [s, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      // A reset on one side resets the other: nothing more can pass.
      s.on("error", () => other.destroy());
    }
    const queue: Buffer[] = [];
    client.on("data", (d: Buffer) => {
      if (chunks.reduce((n, c) => n + c.length, 0) < 4_000_000) chunks.push(d);
      const holding = !released && (queue.length > 0 || options.hold!.test(d.toString("latin1")));
      if (!holding) return void upstream.write(d);
      if (queue.length === 0) {
        held += 1;
        waiting.push(() => upstream.write(Buffer.concat(queue.splice(0))));
      }
      queue.push(d);
    });
    // Each side's end is passed on as end() (a half-close), after what it has buffered: the
    // client's by hand (after any held data), the daemon's by pipe().
    client.on("end", () => (queue.length === 0 ? upstream.end() : waiting.push(() => upstream.end())));
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    host: `unix://${path}`,
    createBodies() {
      const out: Record<string, unknown>[] = [];
      for (const chunks of sent) {
        const text = Buffer.concat(chunks).toString("latin1");
        const re = /POST [^ ]*\/containers\/create[^ ]* HTTP\/1\.1\r\n([\s\S]*?)\r\n\r\n/g;
        for (let m = re.exec(text); m; m = re.exec(text)) {
          const length = Number(/content-length: *(\d+)/i.exec(m[1] ?? "")?.[1]);
          if (Number.isInteger(length)) out.push(JSON.parse(Buffer.from(text.slice(re.lastIndex, re.lastIndex + length), "latin1").toString("utf8")) as Record<string, unknown>);
        }
      }
      return out;
    },
    held: () => (released ? 0 : held),
    release() {
      released = true;
      for (const flush of waiting.splice(0)) flush();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
