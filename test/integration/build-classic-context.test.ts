import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INJECTED_DOCKERFILE } from "../../src/builder/context-files.js";
import { newRunId } from "../../src/engine/labels.js";
import { runInProject } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { writeProjectFiles } from "../support/project-files.js";

/**
 * The classic builder gets the rendered Dockerfile inside the context tar. Listed in the
 * tar's .dockerignore (as the docker CLI lists its own), the daemon drops it from the
 * context once read: `COPY .` does not put it in the image, and since its LABEL changes
 * every build, a `--force` rebuild's `COPY .` is cached again.
 */
describe("build --builder classic: the injected Dockerfile stays out of COPY .", () => {
  const runId = newRunId();
  let dir: string;
  const repo = (name: string) => `runner-kit-test/classic-ctx-${name}-${runId}`;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rk-classic-ctx-"));
    const image = (name: string, context: string) => `  classic-ctx-${name}-${runId}:\n    template: app\n    context: ${context}\n    tags: [v1]\n`;
    writeProjectFiles(dir, {
      "runner-kit.yaml": `registry: runner-kit-test\ntemplates: templates\nimages:\n${image("own", "with-ignore")}${image("none", "without-ignore")}`,
      "templates/app/Dockerfile.hbs": `FROM busybox:latest\nCOPY . /ctx/\nRUN echo "run ${runId}" && ls -A /ctx\n`,
      "with-ignore/.dockerignore": "*.skip",
      "with-ignore/a.txt": "alpha\n",
      "with-ignore/b.skip": "ignored\n",
      "without-ignore/a.txt": "alpha\n",
    });
  });
  afterAll(async () => {
    const engine = await docker();
    for (const name of ["own", "none"]) await engine.getImage(`${repo(name)}:v1`).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  const listing = async (name: string): Promise<string[]> => {
    const engine = await docker();
    const out: Buffer[] = [];
    const { PassThrough } = await import("node:stream");
    const sink = new PassThrough();
    sink.on("data", (c: Buffer) => out.push(c));
    await engine.run(`${repo(name)}:v1`, ["sh", "-c", "ls -A1 /ctx; echo ---; cat /ctx/.dockerignore 2>/dev/null"], sink, { Tty: true, HostConfig: { AutoRemove: true } });
    return Buffer.concat(out).toString("utf8").split(/\r?\n/).filter((l) => l !== "");
  };

  it("leaves the Dockerfile out of the image; a context's own .dockerignore gets the line the docker CLI adds", async () => {
    const r = await runInProject(dir, runId, ["build", "--builder", "classic", "--progress", "plain"]);
    expect(r.code, r.stderr).toBe(0);
    expect(await listing("own")).toEqual([".dockerignore", "a.txt", "---", "*.skip", INJECTED_DOCKERFILE]);
    // Without one of its own, the tar's .dockerignore lists itself too: the image gets neither.
    expect(await listing("none")).toEqual(["a.txt", "---"]);
  });

  it("finds COPY . in the cache on a --force rebuild of an unchanged context", async () => {
    writeFileSync(join(dir, "templates/app/Dockerfile.hbs"), `FROM busybox:latest\nCOPY . /ctx/\n`);
    const first = await runInProject(dir, runId, ["build", "--force", "--builder", "classic", "--progress", "plain"]);
    expect(first.code, first.stderr).toBe(0);
    const again = await runInProject(dir, runId, ["build", "--force", "--builder", "classic", "--progress", "plain"]);
    expect(again.code, again.stderr).toBe(0);
    for (const name of ["own", "none"]) {
      const lines = again.stderr.split("\n").filter((l) => l.startsWith(`[classic-ctx-${name}-${runId}]`));
      const copy = lines.findIndex((l) => l.includes(": COPY . /ctx/"));
      expect(copy, again.stderr).toBeGreaterThan(-1);
      expect(lines[copy + 1], again.stderr).toContain("Using cache");
    }
  });
});
