/**
 * Docker's multiplexed stream format (attach and logs of a container without a TTY): frames
 * of an 8-byte header — stream type (0 stdin, 1 stdout, 2 stderr), three zero bytes,
 * big-endian payload size — then the payload. One reader serves both a live attach stream
 * and a whole log buffer.
 */
const HEADER_SIZE = 8;

export type FrameSink = (stream: "stdout" | "stderr", payload: Buffer) => void;

/** The payload size of the frame header at `offset`, or undefined when no header starts there. */
function frameSize(buf: Buffer, offset: number): number | undefined {
  if (offset + HEADER_SIZE > buf.length) return undefined;
  const type = buf[offset] as number;
  if (type > 2 || buf[offset + 1] !== 0) return undefined;
  return buf.readUInt32BE(offset + 4);
}

/**
 * Hand every complete frame at the start of `buf` to `sink`; returns the offset of the first
 * byte not consumed (a partial frame, or bytes that are not a frame header).
 */
function readFrames(buf: Buffer, sink: FrameSink): number {
  let offset = 0;
  for (let size = frameSize(buf, 0); size !== undefined && offset + HEADER_SIZE + size <= buf.length; size = frameSize(buf, offset)) {
    sink(buf[offset] === 2 ? "stderr" : "stdout", buf.subarray(offset + HEADER_SIZE, offset + HEADER_SIZE + size));
    offset += HEADER_SIZE + size;
  }
  return offset;
}

/** Split a live stream as frames arrive (frames may be cut anywhere across chunks). */
export function demuxStream(stream: NodeJS.ReadableStream, stdout: (chunk: Buffer) => void, stderr: (chunk: Buffer) => void): void {
  let pending = Buffer.alloc(0);
  stream.on("data", (data: Buffer | string) => {
    pending = pending.length === 0 ? Buffer.from(data) : Buffer.concat([pending, Buffer.from(data)]);
    pending = pending.subarray(readFrames(pending, (kind, payload) => (kind === "stderr" ? stderr : stdout)(payload)));
  });
}

/**
 * A whole log buffer as text, stdout and stderr in the order they were written. A buffer
 * that does not start with a frame header (a TTY container's log) is returned as it is; a
 * last frame cut short keeps the part that is there.
 */
export function demuxBuffer(buf: Buffer): string {
  if (buf.length > 0 && frameSize(buf, 0) === undefined) return buf.toString("utf8");
  const parts: Buffer[] = [];
  const offset = readFrames(buf, (_kind, payload) => parts.push(payload));
  if (frameSize(buf, offset) !== undefined) parts.push(buf.subarray(offset + HEADER_SIZE));
  return Buffer.concat(parts).toString("utf8");
}
