import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { runInProject } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { writeProjectFile } from "../support/project-files.js";

/**
 * `runner-kit build` right after `init` or after adding an image: the default context
 * (images/<image>/, where render writes) does not exist yet. The build renders fresh and
 * builds from an empty context; a `context:` the project names must still exist.
 */
describe("build of a project that was never rendered", () => {
  const runId = newRunId();
  const repository = `rk-unrendered-${runId}/app`;
  let dir: string;
  const run = (argv: string[]) => runInProject(dir, runId, argv);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rk-unrendered-"));
    writeProjectFile(dir, "runner-kit.yaml", [`registry: rk-unrendered-${runId}`, "templates: templates", "images:", "  app:", "    template: app", "    tags: [v1]", ""].join("\n"));
    writeProjectFile(dir, "templates/app/Dockerfile.hbs", `FROM busybox:latest\nRUN echo ${runId} > /run-id\n`);
  });

  afterAll(async () => {
    await (await docker()).getImage(`${repository}:v1`).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("builds from an empty default context without a prior render, and writes nothing into images/", async () => {
    const r = await run(["build", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { images: { status: string }[] }).images.map((i) => i.status)).toEqual(["built"]);
    expect(existsSync(join(dir, "images"))).toBe(false);
    await expectNoLeaks(runId);
  });

  it("--progress picks the reporter whatever the environment says: GitLab sections, or plain lines", async () => {
    const gitlab = await run(["build", "--force", "--progress", "gitlab"]);
    expect(gitlab.code, gitlab.stderr).toBe(0);
    expect(gitlab.stderr).toMatch(/section_start:\d+:/);
    const plain = await runInProject(dir, runId, ["build", "--force", "--progress", "plain"], { GITLAB_CI: "true" });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).not.toContain("section_start");
    expect(plain.stderr).toMatch(/^\[app\] /m);
  });

  it("still refuses a context: the project names that does not exist", async () => {
    writeProjectFile(dir, "runner-kit.yaml", [`registry: rk-unrendered-${runId}`, "templates: templates", "images:", "  app:", "    template: app", "    context: docker/app", "    tags: [v1]", ""].join("\n"));
    const r = await run(["build"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot read the build context directory ${join(dir, "docker/app")} (ENOENT)`);
  });
});
