import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { EngineApi } from "../../src/engine/engine-api.js";
import { sleep } from "../../src/common/sleep.js";
import { ensureImage } from "../../src/smoke/executor/pull.js";

/** An engine whose pull fails with each given message in turn, then succeeds; inspect finds the image once pulled. */
function flakyEngine(failures: string[]): { engine: EngineApi; pulls: () => number } {
  let pulls = 0;
  const engine = {
    pull: async () => {
      pulls += 1;
      const message = failures.shift();
      if (message !== undefined) throw new Error(message);
      return Readable.from([JSON.stringify({ status: "Pull complete" }) + "\n"]);
    },
    getImage: () => ({
      inspect: async () => {
        if (pulls === 0 || failures.length > 0) throw Object.assign(new Error("no such image"), { statusCode: 404 });
        return { Id: "sha256:" + "1".repeat(64), RepoDigests: [] };
      },
    }),
  } as unknown as EngineApi;
  return { engine, pulls: () => pulls };
}

describe("smoke pulls retry as pushes do", () => {
  it("retries a transient failure with the push policy's pauses, and reports each retry", async () => {
    const { engine, pulls } = flakyEngine(["connection reset by peer"]);
    const lines: string[] = [];
    const pauses: number[] = [];
    await ensureImage({ docker: engine, log: (l) => lines.push(l), retry: { backoffMs: 5, sleep: async (ms) => void pauses.push(ms) } }, "r.example/x:1", ["always"]);
    expect(pulls()).toBe(2);
    expect(pauses).toEqual([5]);
    expect(lines).toContain("Pulling r.example/x:1 failed (connection reset by peer); retrying in 0.005 s (attempt 2 of 5)");
  });

  it("does not retry what is not transient (a refused login, an unknown image)", async () => {
    const { engine, pulls } = flakyEngine(["unauthorized: authentication required"]);
    const error = await ensureImage({ docker: engine, log: () => {}, retry: { sleep: async () => {} } }, "r.example/x:1", ["always"]).catch((e: unknown) => e);
    expect(pulls()).toBe(1);
    expect(String((error as Error).message)).toContain("cannot pull the image r.example/x:1: unauthorized");
  });

  it("Ctrl-C during a pause ends it at once (a 60 s pause that did not listen would outlast the test)", async () => {
    const { engine, pulls } = flakyEngine(["connection refused", "connection refused"]);
    const controller = new AbortController();
    const log = (line: string) => {
      if (line.includes("retrying in")) controller.abort(new Error("interrupted"));
    };
    const error = await ensureImage({ docker: engine, log, signal: controller.signal, retry: { backoffMs: 60_000 } }, "r.example/x:1", ["always"]).catch((e: unknown) => e);
    expect((error as Error).message).toBe("interrupted");
    expect(pulls()).toBe(1);
  });

  it("sleep rejects with the signal's reason, at once when already aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(sleep(60_000, controller.signal)).rejects.toThrow("stop");
    await expect(sleep(1)).resolves.toBeUndefined();
  });
});
