import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { buildVariants } from "../../src/bake/build-variants.js";
import type { BuildReporter } from "../../src/bake/types.js";
import { newRunId } from "../../src/engine/labels.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { tempVariant, testBuildDeps } from "../support/build-project.js";

describe("aborting a build", () => {
  const runId = newRunId();
  const dirs: string[] = [];

  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("stops the daemon's build when the signal aborts, leaving no build container and no intermediate image behind", async () => {
    const v = tempVariant("slow", `runner-kit-test/abort-${runId}`, `FROM busybox:latest\nRUN echo first-${runId} > /first\nRUN echo start-${runId} && sleep 120\n`);
    dirs.push(v.context);
    const controller = new AbortController();
    const lines: string[] = [];
    let buildContainer: string | undefined;
    const committed: string[] = [];
    const base = await testBuildDeps(lines);
    const reporter: BuildReporter = {
      ...base.reporter,
      line: (id, line) => {
        base.reporter.line(id, line);
        const running = / ---> Running in ([0-9a-f]{12})/.exec(line);
        if (running) buildContainer = running[1];
        const image = /^ ---> ([0-9a-f]{12})$/.exec(line);
        if (image) committed.push(image[1]!);
        if (line === `start-${runId}`) controller.abort(new Error("SIGINT")); // the output, not the step line
      },
    };
    const started = Date.now();
    const outcome = await buildVariants([v], { ...base, reporter, signal: controller.signal }, { jobs: 1, push: false, force: false, noCache: false, pull: false }).then(
      () => "finished",
      () => "aborted",
    );
    expect(outcome).toBe("aborted");
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(buildContainer, lines.join("\n")).toMatch(/^[0-9a-f]{12}$/);

    // The daemon cancels the build and removes its container (forcerm) shortly after.
    const d = await docker();
    let gone = false;
    for (let i = 0; i < 100 && !gone; i++) {
      gone = await d.getContainer(buildContainer!).inspect().then(
        () => false,
        (e: { statusCode?: number }) => e.statusCode === 404,
      );
      if (!gone) await new Promise((r) => setTimeout(r, 200));
    }
    expect(gone).toBe(true);
    await expect(d.getImage(`${v.repository}:v1`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    // The base image's id, then the image the first RUN step committed: that one is gone, the base stays.
    expect(committed, lines.join("\n")).toHaveLength(2);
    await expect(d.getImage(committed[1]!).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(d.getImage("busybox:latest").inspect()).resolves.toMatchObject({ Id: expect.stringContaining(committed[0]!) });
    await expectNoLeaks(runId);
  });
});
