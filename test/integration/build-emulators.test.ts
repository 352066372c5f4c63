import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CONTENT_HASH_LABEL } from "../../src/builder/image-labels.js";
import { newRunId } from "../../src/engine/labels.js";
import { runInProject } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { writeProjectFiles } from "../support/project-files.js";
import { dockerAuthConfigFor } from "../support/registry.js";

/**
 * The early emulator check against this machine's real daemon and real binfmt_misc: a
 * platform no QEMU installer registers (linux/wasm: there is no qemu-wasm) is refused
 * before anything builds, exit 2, with the entry and what to install; doctor says the same.
 * The test daemon runs on this machine (its Unix socket), as on every machine the suite runs on.
 */
describe("build: a platform this machine's kernel cannot run is refused before anything builds", () => {
  const registry = inject("registry");
  const runId = newRunId();
  let dir: string;
  const run = (argv: string[]) => runInProject(dir, runId, argv, { DOCKER_AUTH_CONFIG: dockerAuthConfigFor(registry) });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rk-emulators-"));
    writeProjectFiles(dir, {
      "runner-kit.yaml": [`registry: ${registry.host}/emu-${runId}`, "templates: templates", "images:", "  odd:", "    template: odd", "    tags: [v1]", "    platforms: [linux/amd64, linux/wasm]", ""].join("\n"),
      "templates/odd/Dockerfile.hbs": "FROM scratch\nCOPY marker /marker\n",
      "marker": "x\n",
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("exit 2 naming the platform, the image, the missing qemu-wasm entry and the installers; no image built", async () => {
    const r = await run(["build", "odd", "--json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the Docker daemon runs on this machine");
    expect(r.stderr).toContain("no emulator for linux/wasm for odd (no qemu-wasm entry in /proc/sys/fs/binfmt_misc)");
    expect(r.stderr).toContain("qemu-user-static");
    expect(r.stderr).toContain("tonistiigi/binfmt --install wasm");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // Not even the runnable platform was built.
    const d = await docker();
    const built = await d.listImages({ filters: JSON.stringify({ label: [CONTENT_HASH_LABEL], reference: [`${registry.host}/emu-${runId}/odd`] }) });
    expect(built).toEqual([]);
    await expectNoLeaks(runId);
  });

  it("doctor reports the project's platforms as a problem with the same fix", async () => {
    const r = await run(["doctor", "--json"]);
    const doc = JSON.parse(r.stdout) as { checks: { area: string; subject: string; status: string; detail: string; fix?: string }[] };
    const row = doc.checks.find((c) => c.area === "platforms" && c.subject === "linux/amd64, linux/wasm");
    expect(row).toMatchObject({ status: "problem", detail: expect.stringContaining("no qemu-wasm entry"), fix: expect.stringContaining("qemu-user-static") });
    expect(r.code).toBe(1);
  });
});
