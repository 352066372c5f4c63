import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { demuxBuffer, demuxStream } from "../../src/engine/demux.js";
import { isGone } from "../../src/engine/engine-http.js";

/** One frame of Docker's multiplexed stream: type, three zero bytes, big-endian size, payload. */
function frame(type: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text, "utf8");
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe("demuxStream (attach of a container without a TTY)", () => {
  it("splits stdout and stderr in arrival order, whatever the chunking", async () => {
    const whole = Buffer.concat([frame(1, "out one\n"), frame(2, "err one\n"), frame(1, ""), frame(1, "out two\n")]);
    for (const chunkSize of [1, 3, 8, 9, whole.length]) {
      const stream = new PassThrough();
      const seen: string[] = [];
      demuxStream(stream, (c) => seen.push(`out:${c.toString()}`), (c) => seen.push(`err:${c.toString()}`));
      for (let i = 0; i < whole.length; i += chunkSize) stream.write(whole.subarray(i, i + chunkSize));
      stream.end();
      await new Promise((r) => stream.once("end", r).resume());
      expect(seen.filter((s) => s !== "out:"), `chunks of ${chunkSize}`).toEqual(["out:out one\n", "err:err one\n", "out:out two\n"]);
    }
  });

  it("holds a frame cut short until the rest arrives", () => {
    const stream = new PassThrough();
    const seen: string[] = [];
    demuxStream(stream, (c) => seen.push(c.toString()), (c) => seen.push(c.toString()));
    const f = frame(1, "hello");
    stream.write(f.subarray(0, 10));
    expect(seen).toEqual([]);
    stream.write(f.subarray(10));
    expect(seen).toEqual(["hello"]);
  });
});

describe("demuxBuffer (a service's log)", () => {
  it("joins the payloads of stdout and stderr in the order written", () => {
    expect(demuxBuffer(Buffer.concat([frame(1, "a\n"), frame(2, "b\n"), frame(1, "c\n")]))).toBe("a\nb\nc\n");
  });

  it("returns a TTY log (no frame headers) as it is", () => {
    expect(demuxBuffer(Buffer.from("plain text from a tty\n"))).toBe("plain text from a tty\n");
    expect(demuxBuffer(Buffer.from("hi"))).toBe("hi");
    expect(demuxBuffer(Buffer.alloc(0))).toBe("");
  });

  it("keeps what there is of a last frame cut short, and stops at bytes that are not a frame", () => {
    expect(demuxBuffer(Buffer.concat([frame(1, "whole\n"), frame(2, "cut short").subarray(0, 12)]))).toBe("whole\ncut ");
    expect(demuxBuffer(Buffer.concat([frame(1, "whole\n"), Buffer.from("garbage that is no header")]))).toBe("whole\n");
  });
});

describe("isGone (removal needs no more work)", () => {
  it("is true for 404 and 409 from dockerode or the thin client, false otherwise", () => {
    expect([404, 409, 500, undefined].map((statusCode) => isGone(Object.assign(new Error("x"), { statusCode })))).toEqual([true, true, false, false]);
    expect(isGone(null)).toBe(false);
  });
});
