import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import { describe, expect, it } from "vitest";
import { runClassicBuild } from "../../src/builder/classic.js";

const request = { context: new PassThrough(), dockerfile: "Dockerfile", tags: ["x:v1"], buildArgs: {} };

/** A "daemon" whose build stream starts, then breaks the way Node reports a dropped connection. */
function droppingDaemon(error: Error): Docker {
  return {
    buildImage: async () => {
      const stream = new PassThrough();
      setImmediate(() => {
        stream.write(`${JSON.stringify({ stream: "Step 1/2 : FROM busybox\n" })}\n`);
        stream.destroy(error);
      });
      return stream;
    },
  } as unknown as Docker;
}

describe("runClassicBuild when the daemon goes away", () => {
  it("says the daemon closed the connection instead of Node's bare 'aborted'", async () => {
    const outcome = await runClassicBuild(droppingDaemon(Object.assign(new Error("aborted"), { code: "ECONNRESET" })), request);
    expect(outcome.error).toBe("the Docker daemon closed the connection during the build (aborted), so it stopped or restarted; check that it is running, then run the build again");
  });

  it("keeps other errors as they are", async () => {
    const outcome = await runClassicBuild(droppingDaemon(new Error("no space left on device")), request);
    expect(outcome.error).toBe("no space left on device");
  });
});
