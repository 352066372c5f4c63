import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { runInProject } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { writeProjectFiles } from "../support/project-files.js";

/**
 * Rebuilds that should not happen (issue 18), end to end through `runner-kit build`: an
 * image is up to date whether or not a build arg it does not declare is given, and
 * rendering its Dockerfile into its default context after a build changes nothing.
 */
describe("runner-kit build does not rebuild what did not change", () => {
  const runId = newRunId();
  const prefix = `rebuild.test/rk-${runId}`;
  let dir: string;

  const run = (argv: string[]) => runInProject(dir, runId, argv);
  /** The status of each image in the --json summary. */
  const statuses = async (argv: string[]) => {
    const r = await run([...argv, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    return Object.fromEntries((JSON.parse(r.stdout) as { images: { id: string; status: string }[] }).images.map((i) => [i.id, i.status]));
  };
  const project = (greeting: string) =>
    [
      `registry: ${prefix}`,
      "templates: templates",
      "images:",
      // No context: the default, images/app/, which also receives the rendered Dockerfile.
      "  app:",
      "    template: app",
      `    values: { greeting: "${greeting}" }`,
      "    tags: [v1]",
      "  tool:",
      "    template: tool",
      "    context: ctx/tool",
      "    tags: [v1]",
      "",
    ].join("\n");

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rk-rebuilds-"));
    writeProjectFiles(dir, {
      "runner-kit.yaml": project("hello"),
      "templates/app/Dockerfile.hbs": 'FROM busybox:latest\nCOPY motd /motd\nRUN echo "{{values.greeting}}" >> /motd\n',
      "images/app/motd": `motd ${runId}\n`,
      "templates/tool/Dockerfile.hbs": "FROM busybox:latest\nARG FLAVOUR=plain\nRUN echo \"$FLAVOUR\" > /flavour\n",
      // Unique per run: an image of the same content from an earlier run would be up to date.
      "ctx/tool/.keep": `${runId}\n`,
    });
  });

  afterAll(async () => {
    const d = await docker();
    for (const ref of [`${prefix}/app:v1`, `${prefix}/tool:v1`]) await d.getImage(ref).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("a build arg the image does not declare neither rebuilds it nor is refused for it alone", async () => {
    expect(await statuses(["build", "--build-arg", "FLAVOUR=spicy"])).toEqual({ app: "built", tool: "built" });
    // app declares no FLAVOUR: the same image with or without it, and the arg is fine for app alone.
    expect(await statuses(["build", "app", "--build-arg", "FLAVOUR=spicy"])).toEqual({ app: "up-to-date" });
    expect(await statuses(["build", "app"])).toEqual({ app: "up-to-date" });
    // tool declares it: its value still counts.
    expect(await statuses(["build", "tool", "--build-arg", "FLAVOUR=mild"])).toEqual({ tool: "built" });
    // Declared by no image of the project: still exit 2, before anything is built.
    const misspelt = await run(["build", "app", "--build-arg", "FLAVOR=spicy"]);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toContain("--build-arg FLAVOR is not declared by the rendered Dockerfile of image app");
  });

  it("change a value → build → render → build: the last build is up to date", async () => {
    writeFileSync(join(dir, "runner-kit.yaml"), project("changed"));
    expect(await statuses(["build", "app"])).toEqual({ app: "built" });
    const lock = readFileSync(join(dir, "runner-kit.lock"), "utf8");
    const rendered = await run(["render", "app"]);
    expect(rendered.code, rendered.stderr).toBe(0);
    expect(readFileSync(join(dir, "images", "app", "Dockerfile"), "utf8")).toContain('RUN echo "changed" >> /motd');
    expect(await statuses(["build", "app"])).toEqual({ app: "up-to-date" });
    expect(readFileSync(join(dir, "runner-kit.lock"), "utf8")).toBe(lock);
    await expectNoLeaks(runId);
  });
});
