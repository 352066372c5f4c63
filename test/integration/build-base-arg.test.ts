import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { runInProject } from "../support/cli.js";
import { expectNoLeaks } from "../support/leaks.js";
import { writeProjectFile } from "../support/project-files.js";

/**
 * A base image chosen by a build arg that the daemon cannot pull (here: a name in a registry
 * nobody serves, as Docker Hub is on a Hub-less machine): the failure names the image the arg
 * resolved to and the build arg that changes it, with either builder.
 */
describe("a FROM whose build arg names an image the daemon cannot pull", () => {
  const runId = newRunId();
  let dir: string;
  const run = (argv: string[]) => runInProject(dir, runId, argv);
  const missing = "127.0.0.1:9/runner-kit-test/nosuch:1";

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rk-base-arg-"));
    writeProjectFile(dir, "runner-kit.yaml", [`registry: rk-base-arg-${runId}`, "templates: templates", "images:", "  app:", "    template: app", "    tags: [v1]", ""].join("\n"));
    writeProjectFile(dir, "templates/app/Dockerfile.hbs", `ARG BASE_IMAGE=${missing}\nFROM \${BASE_IMAGE}\nRUN true\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const builder of ["buildkit", "classic"]) {
    it(`${builder}: names the resolved image and the build arg`, async () => {
      const r = await run(["build", "--builder", builder, "--json"]);
      expect(r.code).toBe(1);
      const [image] = (JSON.parse(r.stdout) as { images: { status: string; error: string }[] }).images;
      expect(image!.status).toBe("failed");
      expect(image!.error).toMatch(/the FROM on line \d+ of the rendered Dockerfile takes its image from build arg BASE_IMAGE, which resolved to /);
      expect(image!.error).toContain(`which resolved to ${missing};`);
      expect(image!.error).toContain("--build-arg BASE_IMAGE=…");
      await expectNoLeaks(runId);
    });
  }
});
