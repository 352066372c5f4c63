/**
 * The Docker daemon restarts while a BuildKit build is in a RUN step: the build's stream and
 * the session connection both drop. The daemon is the test's own (PrivateDaemon), so the
 * shared one is untouched. Asserted: the outcome is one clear error, no image, and the
 * builder builds again once the daemon is back.
 */
import { describe, expect, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { buildWithBuildKit, contextDir, privateDaemonForFile } from "../support/buildkit.js";

describe("Docker daemon restarted mid-BuildKit-build", () => {
  const runId = newRunId();
  const { daemon, dirs } = privateDaemonForFile();

  it("restart during RUN: one clear error in the outcome, no image; the next build succeeds", async () => {
    const context = contextDir({ Dockerfile: `FROM busybox:latest\nRUN echo step-started-${runId} && sleep 600\n` });
    dirs.push(context);
    let restarted: Promise<void> | undefined;
    const { outcome, lines } = await buildWithBuildKit(
      daemon.client(),
      context,
      { tags: [`runner-kit-test/bk-restart-${runId}:v1`] },
      {
        onLine: (line) => {
          if (!restarted && line === `step-started-${runId}`) restarted = daemon.restart();
        },
      },
    );
    expect(restarted, `the RUN step never started:\n${lines.join("\n")}`).toBeDefined();
    await restarted;
    expect(outcome.imageId).toBeUndefined();
    expect(outcome.error, lines.join("\n")).toBeDefined();
    console.log(`daemon restart mid-BuildKit-build said: ${outcome.error}`);
    expect(outcome.error).toMatch(/Docker daemon|BuildKit session/);
    expect(outcome.error).not.toContain("\n");
    // The step that was running when the connection dropped, with what it printed.
    expect(outcome.failedStep).toBe(`[2/2] RUN echo step-started-${runId} && sleep 600`);
    expect(outcome.tail).toEqual([`step-started-${runId}`]);

    const again = contextDir({ Dockerfile: `FROM busybox:latest\nRUN echo after-${runId}\n` });
    dirs.push(again);
    const next = await buildWithBuildKit(daemon.client(), again, { tags: [`runner-kit-test/bk-restart-${runId}:v2`] });
    expect(next.outcome.error, next.lines.join("\n")).toBeUndefined();
    expect(next.lines).toContain(`after-${runId}`);
  });
});
