import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import { describe, expect, it } from "vitest";
import { classifyPushError, pushedDigest, pushTag, PushError } from "../../src/push/push.js";

const DIGEST = `sha256:${"c".repeat(64)}`;

function streamOf(lines: object[]): NodeJS.ReadableStream {
  const s = new PassThrough();
  s.end(lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  return s;
}

/** A daemon whose push answers come from a script, one per attempt. */
function fakeDocker(script: (() => NodeJS.ReadableStream | Promise<never>)[], seen: unknown[] = []): Docker {
  let call = 0;
  return {
    getImage: (name: string) => ({
      push: async (opts: unknown) => {
        seen.push({ name, opts });
        const next = script[call++];
        if (!next) throw new Error("unexpected push");
        return next();
      },
    }),
  } as unknown as Docker;
}

describe("push", () => {
  it("reads the digest from the status line or aux", () => {
    expect(pushedDigest([{ status: "The push refers to repository [r/x]" }, { status: `v1: digest: ${DIGEST} size: 528` }], "v1")).toBe(DIGEST);
    expect(pushedDigest([{ aux: { Tag: "v1", Digest: DIGEST, Size: 528 } }], "v1")).toBe(DIGEST);
    expect(pushedDigest([{ status: "Pushed", id: "abc" }], "v1")).toBeUndefined();
  });

  it("classifies refused credentials, network blips and the rest", () => {
    expect(classifyPushError("unauthorized: authentication required")).toBe("auth");
    expect(classifyPushError("denied: requested access to the resource is denied")).toBe("auth");
    expect(classifyPushError("Put http://127.0.0.1:5000/v2/x/blobs/uploads/: dial tcp 127.0.0.1:5000: connect: connection refused")).toBe("transient");
    expect(classifyPushError("received unexpected HTTP status: 503 Service Unavailable")).toBe("transient");
    expect(classifyPushError("An image does not exist locally with the tag: r/x")).toBe("other");
  });

  it("retries transient failures with growing delays, reports each retry, then succeeds", async () => {
    const sleeps: number[] = [];
    const retries: string[] = [];
    const seen: { name: string; opts: { tag: string; authconfig: unknown } }[] = [];
    const docker = fakeDocker(
      [
        () => streamOf([{ status: "Preparing" }, { errorDetail: { message: "connection reset by peer" }, error: "connection reset by peer" }]),
        () => Promise.reject(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })),
        () => streamOf([{ status: `v1: digest: ${DIGEST} size: 1` }]),
      ],
      seen,
    );
    const digest = await pushTag(docker, "127.0.0.1:5000/x", "v1", {
      auth: { username: "u", password: "p+/?", serveraddress: "127.0.0.1:5000" },
      attempts: 3,
      backoffMs: 100,
      sleep: async (ms) => void sleeps.push(ms),
      onRetry: (r) => void retries.push(`${r.attempt}/${r.attempts} after ${r.delayMs}: ${r.error}`),
    });
    expect(digest).toBe(DIGEST);
    expect(sleeps).toEqual([100, 200]);
    expect(retries).toEqual(["2/3 after 100: connection reset by peer", "3/3 after 200: socket hang up"]);
    expect(seen[0]!.name).toBe("127.0.0.1:5000/x");
    expect(seen[0]!.opts.tag).toBe("v1");
    expect(seen[0]!.opts.authconfig).toEqual({ username: "u", password: "p+/?", serveraddress: "127.0.0.1:5000" });
  });

  it("gives up after the bounded attempts, and never retries refused credentials", async () => {
    const refused = fakeDocker([() => streamOf([{ errorDetail: { message: "unauthorized: authentication required" } }])]);
    const e1 = await pushTag(refused, "r/x", "v1", { auth: undefined, sleep: async () => {} }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(PushError);
    expect(e1).toMatchObject({ kind: "auth", attempts: 1 });

    const gone = fakeDocker(Array.from({ length: 3 }, () => () => streamOf([{ errorDetail: { message: "dial tcp: connection refused" } }])));
    const e2 = await pushTag(gone, "r/x", "v1", { auth: undefined, attempts: 3, sleep: async () => {} }).catch((e: unknown) => e);
    expect(e2).toMatchObject({ kind: "transient", attempts: 3 });
  });
});
