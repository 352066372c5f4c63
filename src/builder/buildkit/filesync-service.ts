/**
 * The session's `moby.filesync.v1.FileSync/DiffCopy`: BuildKit fetches the build context
 * ("context") and the Dockerfile ("dockerfile") from runner-kit, as it fetches them from the
 * docker CLI. runner-kit sends a STAT per entry in fsutil's order and an empty STAT; the
 * daemon compares them with the copy it kept from the last build under the session's
 * shared key and asks (REQ) only for the files that are new or changed; each is answered
 * with DATA chunks and an empty DATA; FIN ends the call. Files are read when asked for, in
 * chunks, and every write waits for the stream to drain, so memory does not grow with the
 * context.
 */
import { createHash } from "node:crypto";
import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { traceMark } from "../../common/trace.js";
import type { ContextEntry } from "../context-files.js";
import type { Codec } from "./messages.js";
import { GrpcCode, type SessionMethod, type SessionStream } from "./session.js";
import { syncEntries } from "./filesync-entries.js";
import { dataPacket, endOfStats, errPacket, finPacket, PacketType, statPacket } from "./filesync-packet.js";

export const DIFF_COPY_PATH = "/moby.filesync.v1.FileSync/DiffCopy";

/** The largest DATA chunk (fsutil sends 32 KiB). */
export const CHUNK = 32 * 1024;
/** Files sent at once (fsutil's sender runs four). */
const PARALLEL_FILES = 4;

/** One directory the daemon may ask for by name: its entries and how a file's content is read. */
export interface SyncedDir {
  entries: ContextEntry[];
  read(entry: ContextEntry): AsyncIterable<Buffer>;
}

/** A file's content in chunks of at most CHUNK bytes (small files in one read). */
export async function* fileChunks(path: string, size: number): AsyncIterable<Buffer> {
  if (size <= CHUNK) {
    yield await readFile(path);
    return;
  }
  const handle = await open(path, "r");
  try {
    for (;;) {
      const buffer = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** A listed context directory, read from disk. */
export function diskDir(root: string, entries: ContextEntry[]): SyncedDir {
  return { entries, read: (entry) => fileChunks(join(root, entry.path), entry.size) };
}

/**
 * A directory holding one file of the given content (the rendered Dockerfile). Its mtime is
 * derived from the content, so the daemon's copy is refreshed exactly when the content changes.
 */
export function memoryDir(name: string, content: string): SyncedDir {
  const bytes = Buffer.from(content, "utf8");
  const seconds = createHash("sha256").update(bytes).digest().readUInt32BE(0);
  const entry: ContextEntry = { path: name, type: "file", mode: 0o644, size: bytes.length, mtimeMs: seconds * 1000, mtimeNs: BigInt(seconds) * 1_000_000_000n };
  return {
    entries: [entry],
    async *read() {
      for (let at = 0; at < bytes.length; at += CHUNK) yield bytes.subarray(at, at + CHUNK);
    },
  };
}

/** One DiffCopy call: the stats, then the files the daemon asks for. */
class DiffCopySender {
  private readonly queue: number[] = [];
  private active = 0;
  private done = false;
  /** Files asked for (REQ), for the phase trace. */
  private requested = 0;

  constructor(
    private readonly call: SessionStream,
    private readonly codec: Codec,
    private readonly dir: SyncedDir,
    private readonly sent: ContextEntry[],
    private readonly onFile: (path: string) => void = () => {},
    private readonly name = "",
  ) {}

  start(): void {
    traceMark(`filesync ${this.name}: DiffCopy opened, ${this.sent.length} stats to send`);
    this.call.on("data", (bytes: Buffer) => this.receive(bytes));
    this.call.on("cancelled", () => (this.done = true));
    this.call.on("error", () => (this.done = true));
    this.sendStats().catch((error: unknown) => this.fail(error));
  }

  private async write(packet: Buffer): Promise<void> {
    if (this.done) throw new Error("the daemon ended the file sync");
    if (!this.call.write(packet)) {
      await new Promise<void>((resolve) => {
        const go = () => {
          this.call.off("drain", go);
          this.call.off("close", go);
          resolve();
        };
        this.call.on("drain", go);
        this.call.on("close", go);
      });
    }
  }

  private async sendStats(): Promise<void> {
    for (const entry of this.sent) await this.write(statPacket(entry));
    await this.write(endOfStats());
    traceMark(`filesync ${this.name}: every stat written`);
  }

  private receive(bytes: Buffer): void {
    const packet = this.codec.decode<{ type?: number; ID?: number; data?: Uint8Array }>("Packet", bytes);
    const type = packet.type ?? PacketType.stat;
    if (type === PacketType.req) {
      if (this.requested++ === 0) traceMark(`filesync ${this.name}: first file asked for`);
      this.queue.push(packet.ID ?? 0);
      this.pump();
    } else if (type === PacketType.fin) {
      traceMark(`filesync ${this.name}: FIN after ${this.requested} files asked for`);
      this.write(finPacket()).then(() => this.end(), () => this.end());
    } else if (type === PacketType.err) {
      this.end();
    }
  }

  private pump(): void {
    while (this.active < PARALLEL_FILES && this.queue.length > 0) {
      const id = this.queue.shift()!;
      this.active += 1;
      this.sendFile(id)
        .catch((error: unknown) => this.fail(error))
        .finally(() => {
          this.active -= 1;
          this.pump();
        });
    }
  }

  private async sendFile(id: number): Promise<void> {
    const entry = this.sent[id];
    if (!entry || entry.type !== "file") throw new Error(`the daemon asked for entry ${id}, which is not a file of this context`);
    this.onFile(entry.path);
    try {
      for await (const chunk of this.dir.read(entry)) {
        // An empty DATA ends a file: only chunks with bytes go before it.
        if (chunk.length > 0) await this.write(dataPacket(id, chunk));
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(`cannot read ${entry.path} of the build context (${code ?? (error instanceof Error ? error.message : String(error))})`);
    }
    await this.write(dataPacket(id));
  }

  /** Tell the daemon why the sync stopped (it reports "error from sender: …") and end the call. */
  private fail(error: unknown): void {
    if (this.done) return;
    const message = error instanceof Error ? error.message : String(error);
    this.call.write(errPacket(message));
    this.end();
  }

  private end(): void {
    if (this.done) return;
    this.done = true;
    this.call.end();
  }
}

export interface FileSyncOptions {
  dirs: Record<string, SyncedDir>;
  codec: Codec;
  /** Told each dir name the daemon asks for (the daemon took the session-served context). */
  onCall?: (dirName: string) => void;
  /** Told each file the daemon asks for, by dir name and path. */
  onFile?: (dirName: string, path: string) => void;
}

/** The DiffCopy stream method serving `dirs` by name (the `dir-name` header of each call). */
export function fileSyncStream(options: FileSyncOptions): SessionMethod {
  return {
    path: DIFF_COPY_PATH,
    serve(call) {
      // A header sent several times arrives as one value joined by ", ".
      const header = (key: string) => call.metadata.get(key).flatMap((v) => String(v).split(/,\s*/)).filter((v) => v !== "");
      const name = header("dir-name")[0] ?? "";
      options.onCall?.(name);
      const dir = Object.hasOwn(options.dirs, name) ? options.dirs[name] : undefined;
      if (!dir) {
        call.emit("error", { code: GrpcCode.notFound, details: `runner-kit serves no directory "${name}" to the build` });
        return;
      }
      const patterns = [...header("include-patterns"), ...header("followpaths")];
      const onFile = (path: string) => options.onFile?.(name, path);
      new DiffCopySender(call, options.codec, dir, syncEntries(dir.entries, patterns), onFile, name).start();
    },
  };
}
