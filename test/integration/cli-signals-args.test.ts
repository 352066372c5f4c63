import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { BIN, runBin } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { writeProjectFile } from "../support/project-files.js";

/** The built binary as a user (or a CI runner stopping a job) drives it. */
describe("runner-kit build: SIGTERM and --build-arg NAME", () => {
  const runId = newRunId();
  const repo = `runner-kit-test/cli-${runId}`;
  let dir: string;
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: dir,
    NO_COLOR: "1",
    RUNNER_KIT_RUN_ID: runId,
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
    ...extra,
  });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rk-cli-signals-"));
    writeProjectFile(dir, "runner-kit.yaml", `registry: ${repo}\ntemplates: templates\nimages:\n  flavoured:\n    template: flavoured\n    context: ctx\n    tags: [v1]\n  slow:\n    template: slow\n    context: ctx\n    tags: [v1]\n`);
    writeProjectFile(dir, "templates/flavoured/Dockerfile.hbs", "FROM busybox:latest\nARG FLAVOUR=default\nLABEL flavour=$FLAVOUR\n");
    writeProjectFile(dir, "templates/slow/Dockerfile.hbs", `FROM busybox:latest\nARG FLAVOUR=default\nRUN echo start-${runId} && sleep 120\n`);
    writeProjectFile(dir, "ctx/.keep", "");
  });

  afterAll(async () => {
    const d = await docker();
    for (const ref of [`${repo}/flavoured:v1`, `${repo}/slow:v1`]) await d.getImage(ref).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("--build-arg FLAVOUR takes FLAVOUR from the environment", async () => {
    const r = await runBin(["build", "flavoured", "--build-arg", "FLAVOUR"], { cwd: dir, env: env({ FLAVOUR: `mint-${runId}` }) });
    expect(r.code, r.stderr).toBe(0);
    const inspect = await (await docker()).getImage(`${repo}/flavoured:v1`).inspect();
    expect(inspect.Config.Labels?.flavour).toBe(`mint-${runId}`);
  });

  // The classic builder's build container shows the daemon's side of the stop; BuildKit's cancel is buildkit-abort.test.ts.
  it("SIGTERM mid-build stops the daemon's build, removes it and exits 143", async () => {
    const child = execa("node", [BIN, "build", "slow", "--builder", "classic", "--build-arg", "FLAVOUR=x"], { cwd: dir, env: env(), reject: false, timeout: 120_000 });
    let stderr = "";
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
        if (stderr.includes(`start-${runId}\n`)) resolve();
      });
      void child.then(() => reject(new Error(`the build ended before its slow step ran:\n${stderr}`)));
    });
    const buildContainer = / ---> Running in ([0-9a-f]{12})/.exec(stderr)?.[1];
    child.kill("SIGTERM");
    const result = await child;
    expect(result.exitCode, result.stderr).toBe(143);
    expect(result.stderr).toContain("runner-kit: terminated; resources created by this run were removed.");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    await expect((await docker()).getImage(`${repo}/slow:v1`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    // The daemon removes the cancelled build's container (forcerm) once the build stops.
    expect(buildContainer, stderr).toMatch(/^[0-9a-f]{12}$/);
    let gone = false;
    for (let i = 0; i < 100 && !gone; i++) {
      gone = await (await docker()).getContainer(buildContainer!).inspect().then(() => false, (e: { statusCode?: number }) => e.statusCode === 404);
      if (!gone) await new Promise((r) => setTimeout(r, 200));
    }
    expect(gone).toBe(true);
    await expectNoLeaks(runId);
  });
});
