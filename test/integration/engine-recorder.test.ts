/**
 * test/support/engine-recorder.ts: the byte relay in front of the daemon that records what
 * clients send. Connections the daemon upgrades (a container's attach: `Upgrade: tcp`, then
 * the raw multiplexed stream both ways) must pass through as they are, half-closes included:
 * a smoke job runs through it as it runs on the daemon's own socket.
 */
import { afterAll, describe, expect, inject, it } from "vitest";
import { ROLE_LABEL } from "../../src/smoke/executor/resources.js";
import Docker from "dockerode";
import { demuxBuffer } from "../../src/engine/demux.js";
import { runLabels } from "../../src/engine/labels.js";
import { startEngineRecorder } from "../support/engine-recorder.js";
import { expectNoLeaks } from "../support/leaks.js";
import { expectLinesInOrder, project, smokeEnv, uniqueRunId } from "../fixtures/smoke/helpers.js";
import { runInProcess } from "../support/cli.js";

const { job } = inject("fixtures");

/** Everything a readable stream gives until its end. */
async function readToEnd(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe("the engine recorder", () => {
  it("runs a smoke job's attached stages through the relay, and records the job's create request", async () => {
    const recorder = await startEngineRecorder();
    cleanups.push(() => recorder.close());
    const p = project(`t:\n  image: ${job}\n  script:\n    - echo first-line\n    - seq 1 2000 | tail -n 1\n  after_script:\n    - echo after-line\n`);
    cleanups.push(p.cleanup);
    const runId = uniqueRunId("rec");
    const r = await runInProcess(["smoke", "--job", ".gitlab-ci.yml"], { cwd: p.dir, env: { ...smokeEnv(runId), DOCKER_HOST: recorder.host } });
    await expectNoLeaks(runId);
    expect(r.code, r.stderr).toBe(0);
    expectLinesInOrder(r.stderr, ["first-line", "2000", "after-line", "Job succeeded"]);
    const build = recorder.createBodies().find((b) => (b.Labels as Record<string, string>)[ROLE_LABEL] === "build");
    expect(build?.Image).toBeDefined();
  });

  it("relays a plain attach both ways: stdin to its end, then the output to the daemon's end", async () => {
    const recorder = await startEngineRecorder();
    cleanups.push(() => recorder.close());
    const runId = uniqueRunId("rec-attach");
    const d = new Docker({ socketPath: recorder.host.slice("unix://".length) });
    // cat echoes stdin and exits at its end: the output is complete only if the client's
    // half-close reached the daemon and the daemon's output still came back after it.
    const container = await d.createContainer({ Image: job, Cmd: ["sh", "-c", "cat; echo done-after-eof >&2"], OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true, AttachStderr: true, Labels: runLabels(runId) });
    try {
      const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as NodeJS.ReadWriteStream;
      const output = readToEnd(stream);
      await container.start();
      const payload = Array.from({ length: 4000 }, (_, i) => `line ${i}`).join("\n");
      stream.end(`${payload}\n`);
      const text = demuxBuffer(await output);
      expect(text).toBe(`${payload}\ndone-after-eof\n`);
      expect((await container.wait()).StatusCode).toBe(0);
    } finally {
      await container.remove({ force: true });
    }
    await expectNoLeaks(runId);
    const sent = recorder.createBodies();
    expect(sent.map((b) => b.Cmd)).toEqual([["sh", "-c", "cat; echo done-after-eof >&2"]]);
  });
});
