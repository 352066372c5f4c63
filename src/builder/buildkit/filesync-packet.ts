/**
 * fsutil's `Packet` (types/wire.proto) with its `Stat` (types/stat.proto) encoded directly
 * (pure). A 50k-entry context sends one STAT per entry: going through protobufjs's
 * fromObject for each cost more than the rest of the stream, so the two messages the sync
 * writes are encoded here; the packets the daemon sends are decoded with messages.ts.
 */
import type { ContextEntry } from "../context-files.js";
import { goFileMode } from "./filesync-entries.js";

/** fsutil's packet types. */
export const PacketType = { stat: 0, req: 1, data: 2, fin: 3, err: 4 } as const;

const VARINT = 0;
const BYTES = 2;

/**
 * Bytes of one message, written front to back into a scratch buffer (grown when a message
 * needs more) and copied out by finish(). A nested message is finished first, then written
 * as a bytes field of its parent.
 */
class Writer {
  private static scratch = Buffer.allocUnsafe(64 * 1024);
  private buf = Writer.scratch;
  private at = 0;

  private room(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + bytes));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }

  private raw(value: number): void {
    // Numbers below 2^53: the low 7 bits at a time, without 32-bit operators.
    let v = value;
    while (v >= 0x80) {
      this.buf[this.at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.at++] = v;
  }

  varint(field: number, value: number | bigint): this {
    if (value === 0 || value === 0n) return this;
    this.room(11);
    this.buf[this.at++] = (field << 3) | VARINT;
    if (typeof value === "number" && value > 0 && Number.isSafeInteger(value)) {
      this.raw(value);
      return this;
    }
    // int64 as protobuf sends it: a negative value as its 64-bit two's complement.
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.buf[this.at++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.at++] = Number(v);
    return this;
  }

  bytes(field: number, value: Buffer): this {
    if (value.length === 0) return this;
    this.room(11 + value.length);
    this.buf[this.at++] = (field << 3) | BYTES;
    this.raw(value.length);
    value.copy(this.buf, this.at);
    this.at += value.length;
    return this;
  }

  string(field: number, value: string): this {
    return value === "" ? this : this.bytes(field, Buffer.from(value, "utf8"));
  }

  finish(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.at));
    if (this.buf.length > Writer.scratch.length && this.buf.length <= 1024 * 1024) Writer.scratch = this.buf;
    return out;
  }
}

/** A STAT packet for an entry: Go file mode, owners root, mtime in nanoseconds, size of files, symlink target. */
export function statPacket(entry: ContextEntry): Buffer {
  const modTime = entry.mtimeNs ?? BigInt(Math.trunc(entry.mtimeMs)) * 1_000_000n;
  const stat = new Writer()
    .string(1, entry.path)
    .varint(2, goFileMode(entry))
    .varint(5, entry.type === "file" ? entry.size : 0)
    .varint(6, modTime)
    .string(7, entry.type === "symlink" ? (entry.linkname ?? "") : "")
    .finish();
  // The type is STAT, the default, so only the stat is written (a path is never empty).
  return new Writer().bytes(2, stat).finish();
}

/** The packet without a stat that ends the list of stats. */
export function endOfStats(): Buffer {
  return Buffer.alloc(0);
}

/** A DATA packet: a chunk of file `id`, or the empty DATA that ends it. */
export function dataPacket(id: number, data: Buffer = Buffer.alloc(0)): Buffer {
  return new Writer().varint(1, PacketType.data).varint(3, id).bytes(4, data).finish();
}

export function finPacket(): Buffer {
  return new Writer().varint(1, PacketType.fin).finish();
}

export function errPacket(message: string): Buffer {
  return new Writer().varint(1, PacketType.err).string(4, message).finish();
}
