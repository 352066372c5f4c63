import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { runInProject } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { dockerAuthConfigFor } from "../support/registry.js";
import { writeProjectFile } from "../support/project-files.js";

interface Row {
  id: string;
  action: "build" | "up-to-date";
  push?: boolean;
  reason: string;
}

/**
 * `build --dry-run` against the real engine and the authenticated registry: what would be
 * built or pushed and why, before and after a build and a push, with nothing built, tagged,
 * pushed or written by the dry run itself.
 */
describe("runner-kit build --dry-run", () => {
  const registry = inject("registry");
  const runId = newRunId();
  const prefix = `${registry.host}/rk-dry-${runId}`;
  let dir: string;
  const run = (argv: string[]) => runInProject(dir, runId, argv, { DOCKER_AUTH_CONFIG: dockerAuthConfigFor(registry, registry.password) });
  const rows = async (argv: string[]): Promise<Record<string, Omit<Row, "id">>> => {
    const r = await run(["build", "--dry-run", "--json", ...argv]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { dryRun: boolean; images: Row[] };
    expect(doc.dryRun).toBe(true);
    return Object.fromEntries(doc.images.map(({ id, ...rest }) => [id, rest]));
  };
  const template = (name: string, text: string) => writeProjectFile(dir, `templates/${name}/Dockerfile.hbs`, `FROM busybox:latest\nRUN echo ${text} > /x\n`);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rk-dry-"));
    writeProjectFile(dir, "runner-kit.yaml", [`registry: ${prefix}`, "templates: templates", "images:", "  a:", "    template: a", "    tags: [v1]", "  b:", "    template: b", "    tags: [v1]", ""].join("\n"));
    template("a", `a-${runId}`);
    template("b", `b-${runId}`);
  });
  afterAll(async () => {
    const d = await docker();
    for (const name of ["a", "b"]) await d.getImage(`${prefix}/${name}:v1`).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("before any build: both would be built, and the dry run builds, tags and writes nothing", async () => {
    const before = await rows([]);
    expect(before.a!.action).toBe("build");
    expect(before.a!.reason).toMatch(/^no local image has its content hash [0-9a-f]{12}$/);
    expect(before.b!.action).toBe("build");
    await expect((await docker()).getImage(`${prefix}/a:v1`).inspect()).rejects.toThrow();
    expect(existsSync(join(dir, "runner-kit.lock"))).toBe(false);
    expect(existsSync(join(dir, "images"))).toBe(false);
  });

  it("after a build: up to date locally; with --push, each would be pushed since the registry lacks them", async () => {
    expect((await run(["build"])).code).toBe(0);
    const local = await rows([]);
    expect(local.a).toMatchObject({ action: "up-to-date" });
    expect(local.a!.reason).toMatch(/^local image [0-9a-f]{12} has its content hash$/);
    const push = await rows(["--push"]);
    expect(push.a).toMatchObject({ action: "up-to-date", push: true });
    expect(push.a!.reason).toContain("the registry's tags do not all have its content hash");
    // The dry run pushed nothing: the registry still lacks them.
    expect((await rows(["--push"])).a).toMatchObject({ push: true });
  });

  it("after a push and a change to one template: only that one would be built and pushed", async () => {
    expect((await run(["build", "--push"])).code).toBe(0);
    template("b", `b-changed-${runId}`);
    const after = await rows(["--push"]);
    expect(after.a).toMatchObject({ action: "up-to-date", push: false });
    expect(after.a!.reason).toMatch(/^every tag in the registry has its content hash/);
    expect(after.b).toMatchObject({ action: "build", push: true });
    const table = await run(["build", "--push", "--dry-run"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`${prefix}/b\\s+v1\\s+build, push\\s+no local image has its content hash`));
    expect(table.stdout).toMatch(new RegExp(`${prefix}/a\\s+v1\\s+nothing\\s+every tag in the registry`));
    await expectNoLeaks(runId);
  });
});
