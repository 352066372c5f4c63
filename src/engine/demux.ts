/**
 * Docker's multiplexed stream format (attach and logs of a container without a TTY): frames
 * of an 8-byte header — stream type (1 stdout, 2 stderr), three zero bytes, big-endian
 * payload size — then the payload. This splits a live stream as frames arrive.
 */
export function demuxStream(stream: NodeJS.ReadableStream, stdout: (chunk: Buffer) => void, stderr: (chunk: Buffer) => void): void {
  let pending = Buffer.alloc(0);
  stream.on("data", (data: Buffer | string) => {
    pending = pending.length === 0 ? Buffer.from(data) : Buffer.concat([pending, Buffer.from(data)]);
    while (pending.length >= 8) {
      const size = pending.readUInt32BE(4);
      if (pending.length < 8 + size) break;
      const payload = pending.subarray(8, 8 + size);
      (pending[0] === 2 ? stderr : stdout)(payload);
      pending = pending.subarray(8 + size);
    }
  });
}
