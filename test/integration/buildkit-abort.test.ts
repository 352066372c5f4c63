import { readdirSync, readFileSync, rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { buildWithBuildKit, contextDir } from "../support/buildkit.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";

/** Processes on this host whose command line contains `marker` (BuildKit runs RUN steps with runc, not as containers). */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(marker)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe("aborting a BuildKit build", () => {
  const runId = newRunId();
  const dirs: string[] = [];

  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("cancels the build on the daemon: the step's processes end, no image is tagged, the build rejects", async () => {
    const context = contextDir({ Dockerfile: `FROM busybox:latest\nRUN echo start-${runId} && sleep 300 && echo never-${runId}\n` });
    dirs.push(context);
    const controller = new AbortController();
    let runningAtAbort: number[] = [];
    const result = await buildWithBuildKit(
      await docker(),
      context,
      { tags: [`runner-kit-test/bk-abort-${runId}:v1`], noCache: true, signal: controller.signal },
      {
        onLine: (line) => {
          if (line !== `start-${runId}`) return;
          runningAtAbort = processesWith(`start-${runId}`);
          controller.abort(new Error("SIGINT"));
        },
      },
    ).then(
      () => "finished",
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    expect(result).toBe("SIGINT");
    expect(runningAtAbort.length).toBeGreaterThan(0);

    let left = processesWith(`start-${runId}`);
    for (let i = 0; i < 100 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      left = processesWith(`start-${runId}`);
    }
    expect(left).toEqual([]);
    await expect((await docker()).getImage(`runner-kit-test/bk-abort-${runId}:v1`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expectNoLeaks(runId);
  });

  it("rejects at once when the signal is already aborted", async () => {
    const context = contextDir({ Dockerfile: "FROM busybox:latest\n" });
    dirs.push(context);
    const controller = new AbortController();
    controller.abort(new Error("SIGTERM"));
    await expect(buildWithBuildKit(await docker(), context, { tags: [`runner-kit-test/bk-abort-${runId}:v2`], signal: controller.signal })).rejects.toThrow("SIGTERM");
  });
});
