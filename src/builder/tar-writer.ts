import { closeSync, openSync, readSync } from "node:fs";
import { Readable } from "node:stream";
import { BLOCK, bodyPadding, planHeader, writeHeader, type HeaderPlan, type TarHeader } from "./tar-header.js";

/** One member of the tar: its header and where its body comes from (a file's path, or bytes). */
export interface TarMember {
  header: TarHeader;
  /** For a file: the file to read `header.size` bytes from, or the bytes themselves. */
  body?: string | Buffer;
}

/** How file bodies are read: synchronous calls, each bounded by one batch (the default is node:fs). */
export interface FileReader {
  open(path: string): number;
  read(fd: number, buffer: Buffer, offset: number, length: number, position: number): number;
  close(fd: number): void;
}

export const nodeFileReader: FileReader = {
  open: (path) => openSync(path, "r"),
  read: (fd, buffer, offset, length, position) => readSync(fd, buffer, offset, length, position),
  close: (fd) => closeSync(fd),
};

/**
 * Bytes per push. Headers and small files are packed into one buffer until it is full, so
 * the upload goes in writes of this size (an HTTP chunk each) instead of three small writes
 * per file; big enough to keep syscalls and stream callbacks few, small enough to keep
 * memory flat (the stream holds one or two at a time).
 */
export const BATCH = 64 * 1024;

/** The body being copied when a batch filled up before it ended. */
interface OpenBody {
  name: string;
  size: number;
  done: number;
  read(buffer: Buffer, offset: number, length: number, position: number): number;
  close(): void;
}

/**
 * A tar of `members`, produced as the reader consumes it: each `read()` fills one batch
 * with headers, file bodies read straight into it, and padding, then pushes it. A file
 * that is shorter than its header says when it is read (changed since it was listed)
 * destroys the stream with an error naming it; one that grew gives its first `size` bytes.
 */
export class TarWriter extends Readable {
  private readonly members: Iterator<TarMember>;
  /** The next member and its header's plan, taken from the iterator but not yet written (it did not fit the batch). */
  private pending: { member: TarMember; plan: HeaderPlan } | undefined;
  private exhausted = false;
  private open: OpenBody | undefined;
  private finished = false;

  /** `members` is read once, in order, as the batches are filled (a generator keeps only one member alive). */
  constructor(
    members: Iterable<TarMember>,
    private readonly files: FileReader = nodeFileReader,
    private readonly batchSize = BATCH,
  ) {
    super({ highWaterMark: batchSize });
    this.members = members[Symbol.iterator]();
  }

  override _read(): void {
    try {
      const chunk = this.fill();
      if (chunk.length > 0) this.push(chunk);
      if (this.finished) this.push(null);
    } catch (error) {
      this.destroy(error as Error);
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.closeOpen();
    callback(error);
  }

  /** One batch: as many whole members as fit, then part of a body that does not. */
  private fill(): Buffer {
    const buf = Buffer.allocUnsafe(this.batchSize);
    let at = 0;
    if (this.open) at = this.copyBody(buf, at);
    for (let next = this.peek(); !this.open && next; next = this.peek()) {
      const { member, plan } = next;
      if (at + plan.length > buf.length && at > 0) break;
      this.pending = undefined;
      at += writeHeader(buf, at, plan);
      at = this.startBody(buf, at, member);
    }
    if (!this.open && !this.peek() && !this.finished && at + 2 * BLOCK <= buf.length) {
      // The end of the archive: two zero blocks.
      buf.fill(0, at, at + 2 * BLOCK);
      at += 2 * BLOCK;
      this.finished = true;
    }
    return buf.subarray(0, at);
  }

  private peek(): { member: TarMember; plan: HeaderPlan } | undefined {
    if (this.pending === undefined && !this.exhausted) {
      const next = this.members.next();
      if (next.done === true) this.exhausted = true;
      else this.pending = { member: next.value, plan: planHeader(next.value.header) };
    }
    return this.pending;
  }

  private startBody(buf: Buffer, at: number, member: TarMember): number {
    const { size, name } = member.header;
    if (member.header.type !== "file" || size === 0) return at;
    const body = member.body;
    if (Buffer.isBuffer(body)) {
      this.open = { name, size, done: 0, read: (b, o, l, p) => body.copy(b, o, p, p + l), close: () => {} };
    } else {
      const fd = this.files.open(body!);
      this.open = { name: body!, size, done: 0, read: (b, o, l, p) => this.files.read(fd, b, o, l, p), close: () => this.files.close(fd) };
    }
    return this.copyBody(buf, at);
  }

  /** Copies as much of the open body as the batch holds, then its padding once it ends. */
  private copyBody(buf: Buffer, at: number): number {
    const body = this.open!;
    while (body.done < body.size && at < buf.length) {
      const want = Math.min(body.size - body.done, buf.length - at);
      const got = body.read(buf, at, want, body.done);
      if (got === 0) throw new Error(`${body.name} changed while the build context was being sent: ${body.size} bytes when listed, ${body.done} now`);
      body.done += got;
      at += got;
    }
    if (body.done < body.size) return at;
    const end = at + bodyPadding(body.size);
    if (end > buf.length) return at; // the padding goes at the start of the next batch
    this.closeOpen();
    return this.pad(buf, at, body.size);
  }

  private pad(buf: Buffer, at: number, size: number): number {
    const n = bodyPadding(size);
    buf.fill(0, at, at + n);
    return at + n;
  }

  private closeOpen(): void {
    const open = this.open;
    this.open = undefined;
    open?.close();
  }
}
