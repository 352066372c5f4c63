import { describe, expect, it } from "vitest";
import { decodeStatus, loadCodec, type StatusResponse } from "../../src/builder/buildkit/messages.js";
import { BuildKitStatusTracker } from "../../src/builder/buildkit/status-tracker.js";

const at = (seconds: number, nanos = 0) => ({ seconds, nanos });
const empty: StatusResponse = { vertexes: [], statuses: [], logs: [], warnings: [] };
const status = (part: Partial<StatusResponse>): StatusResponse => ({ ...empty, ...part });
const log = (vertex: string, text: string, stream = 1) => ({ vertex, stream, msg: Buffer.from(text) });

/** A status message as the daemon sends it: protobuf, base64, in a `moby.buildkit.trace` aux. */
async function wire(value: Record<string, unknown>): Promise<string> {
  return (await loadCodec()).encode("StatusResponse", value).toString("base64");
}

describe("BuildKit's status stream as progress lines", () => {
  it("decodes the daemon's protobuf: vertexes with timestamps, logs as bytes, statuses, warnings", async () => {
    const codec = await loadCodec();
    const decoded = decodeStatus(
      codec,
      await wire({
        vertexes: [{ digest: "sha256:a", name: "[2/3] RUN make", started: at(10), completed: at(11, 500_000_000), cached: false, inputs: ["sha256:z"] }],
        logs: [{ vertex: "sha256:a", stream: 2, msg: Buffer.from("warning: x\n") }],
        statuses: [{ ID: "writing image sha256:f", vertex: "sha256:e", total: 10, current: 10, completed: at(12) }],
        warnings: [{ vertex: "sha256:a", level: 1, short: Buffer.from("legacy syntax") }],
      }),
    );
    expect(decoded.vertexes[0]).toMatchObject({ digest: "sha256:a", name: "[2/3] RUN make", started: { seconds: 10 }, completed: { seconds: 11, nanos: 500_000_000 } });
    expect(Buffer.from(decoded.logs[0]!.msg).toString()).toBe("warning: x\n");
    expect(decoded.logs[0]!.stream).toBe(2);
    expect(decoded.statuses[0]).toMatchObject({ ID: "writing image sha256:f", total: 10, current: 10 });
    expect(Buffer.from(decoded.warnings[0]!.short).toString()).toBe("legacy syntax");
    expect(decodeStatus(codec, "")).toEqual(empty);
  });

  it("says when a step starts and how it ended: DONE with its time, CACHED", () => {
    const tracker = new BuildKitStatusTracker();
    expect(tracker.push(status({ vertexes: [{ digest: "a", name: "[1/2] FROM docker.io/library/debian:bookworm", started: at(1) }] }))).toEqual([
      "[1/2] FROM docker.io/library/debian:bookworm",
    ]);
    // The same vertex again while running: no second start line.
    expect(tracker.push(status({ vertexes: [{ digest: "a", name: "[1/2] FROM docker.io/library/debian:bookworm", started: at(1) }] }))).toEqual([]);
    expect(tracker.push(status({ vertexes: [{ digest: "a", name: "[1/2] FROM docker.io/library/debian:bookworm", started: at(1), completed: at(3, 250_000_000) }] }))).toEqual([
      "[1/2] FROM docker.io/library/debian:bookworm DONE 2.3s",
    ]);
    expect(tracker.push(status({ vertexes: [{ digest: "b", name: "[2/2] RUN apt-get update", cached: true, started: at(3), completed: at(3) }] }))).toEqual([
      "[2/2] RUN apt-get update CACHED",
    ]);
    // A finished vertex repeated by a later message says nothing more.
    expect(tracker.push(status({ vertexes: [{ digest: "b", name: "[2/2] RUN apt-get update", cached: true, started: at(3), completed: at(3) }] }))).toEqual([]);
  });

  it("prints a step's output line by line, joining lines split across messages, without colours or progress redraws", () => {
    const tracker = new BuildKitStatusTracker();
    tracker.push(status({ vertexes: [{ digest: "a", name: "[2/2] RUN make", started: at(1) }] }));
    expect(tracker.push(status({ logs: [log("a", "compil")] }))).toEqual([]);
    expect(tracker.push(status({ logs: [log("a", "ing\n\x1b[91mred\x1b[0m\n10%\r50%\r100%\n\n")] }))).toEqual(["compiling", "red", "100%"]);
  });

  it("a cache-from image that cannot be read is a warning, not the build's error", () => {
    const tracker = new BuildKitStatusTracker();
    const name = "importing cache manifest from registry.example.com/app:latest";
    const lines = tracker.push(status({ vertexes: [{ digest: "c", name, started: at(1), completed: at(2), error: "failed to do request: Head: not found" }] }));
    expect(lines).toContain(`WARNING: ${name}: failed to do request: Head: not found; building without that cache`);
    tracker.image("sha256:abc");
    expect(tracker.outcome()).toEqual({ imageId: "sha256:abc", tail: [] });
  });

  it("reports completed statuses once and warnings", () => {
    const tracker = new BuildKitStatusTracker();
    const done = { ID: "naming to docker.io/x/y:1", vertex: "e", completed: at(2) };
    expect(tracker.push(status({ statuses: [{ ID: "exporting layers", vertex: "e" }, done] }))).toEqual(["naming to docker.io/x/y:1 done"]);
    expect(tracker.push(status({ statuses: [done] }))).toEqual([]);
    expect(tracker.push(status({ warnings: [{ vertex: "a", short: Buffer.from("empty continuation line\n") }] }))).toEqual(["WARNING: empty continuation line"]);
  });

  it("a failing step: the daemon's error, the step's name and its own last lines, not another step's", () => {
    const tracker = new BuildKitStatusTracker();
    tracker.push(status({ vertexes: [{ digest: "a", name: "[stage-1 2/3] RUN make", started: at(1) }, { digest: "b", name: "[stage-2 2/2] RUN sleep 9", started: at(1) }] }));
    tracker.push(status({ logs: [log("a", "cc -o app\n"), log("b", "other stage\n"), log("a", "app.c:1: error")] }));
    const lines = tracker.push(
      status({
        vertexes: [
          { digest: "b", name: "[stage-2 2/2] RUN sleep 9", started: at(1), completed: at(2), error: "context canceled" },
          { digest: "a", name: "[stage-1 2/3] RUN make", started: at(1), completed: at(2), error: "executor failed running [/bin/sh -c make]: exit code: 2" },
        ],
      }),
    );
    expect(lines).toEqual([
      "[stage-2 2/2] RUN sleep 9 ERROR: context canceled",
      "app.c:1: error",
      "[stage-1 2/3] RUN make ERROR: executor failed running [/bin/sh -c make]: exit code: 2",
    ]);
    expect(tracker.outcome()).toEqual({
      error: "executor failed running [/bin/sh -c make]: exit code: 2",
      failedStep: "[stage-1 2/3] RUN make",
      tail: ["cc -o app", "app.c:1: error"],
    });
    // The stream's final error line is the daemon's word for the whole build; gRPC's wrapping is dropped.
    tracker.error("rpc error: code = FailedPrecondition desc = the build asks for the secret \"x\"\n");
    expect(tracker.outcome().error).toBe('the build asks for the secret "x"');
  });

  it("keeps only the last 20 output lines of a step", () => {
    const tracker = new BuildKitStatusTracker();
    tracker.push(status({ vertexes: [{ digest: "a", name: "[2/2] RUN seq 30", started: at(1) }] }));
    tracker.push(status({ logs: [log("a", Array.from({ length: 30 }, (_, i) => `${i + 1}\n`).join(""))] }));
    tracker.push(status({ vertexes: [{ digest: "a", name: "[2/2] RUN seq 30", started: at(1), completed: at(2), error: "exit code: 1" }] }));
    expect(tracker.outcome().tail).toEqual(Array.from({ length: 20 }, (_, i) => `${i + 11}`));
  });

  it("the image id from moby.image.id; no error, no failed step on success", () => {
    const tracker = new BuildKitStatusTracker();
    tracker.image("sha256:abc");
    expect(tracker.outcome()).toEqual({ imageId: "sha256:abc", tail: [] });
  });

  it("a build cut off without BuildKit's word: the running step carries the error and its lines", () => {
    const tracker = new BuildKitStatusTracker();
    tracker.push(status({ vertexes: [{ digest: "a", name: "[1/2] FROM x", started: at(1), completed: at(1) }, { digest: "b", name: "[2/2] RUN sleep 600", started: at(1) }] }));
    tracker.push(status({ logs: [log("b", "started\n")] }));
    expect(tracker.interrupted("the daemon closed the connection")).toEqual({
      error: "the daemon closed the connection",
      failedStep: "[2/2] RUN sleep 600",
      tail: ["started"],
    });
    expect(new BuildKitStatusTracker().interrupted("x")).toEqual({ error: "x", tail: [] });
  });
});
