import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface EngineRecorder {
  /** unix://… for DOCKER_HOST. */
  host: string;
  /** The JSON bodies of every POST …/containers/create seen so far. */
  createBodies(): Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * A byte-for-byte relay on a unix socket in front of the real daemon's socket, keeping what
 * clients send so a test can read the container create requests exactly as the daemon got
 * them (hijacked attach streams pass through untouched).
 */
export async function startEngineRecorder(upstreamPath = "/var/run/docker.sock"): Promise<EngineRecorder> {
  const dir = mkdtempSync(join(tmpdir(), "rk-engine-rec-"));
  const path = join(dir, "docker.sock");
  const sent: Buffer[][] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const chunks: Buffer[] = [];
    sent.push(chunks);
    const upstream = connect(upstreamPath);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.on("data", (d: Buffer) => {
      if (chunks.reduce((n, c) => n + c.length, 0) < 4_000_000) chunks.push(d);
    });
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
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
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
