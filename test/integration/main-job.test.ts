import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { runBin } from "../support/cli.js";
import { expectNoLeaks } from "../support/leaks.js";

const ROOT = join(import.meta.dirname, "..", "..");

/**
 * The README's main job, as written there, on the repository's own images: build every
 * variant and smoke-test each, with the final stage on the local Debian base (no Docker
 * Hub here). The lock goes to a temporary file so the checkout stays clean.
 */
describe("the README's main job", () => {
  const runId = newRunId();
  const scratch = mkdtempSync(join(tmpdir(), "rk-main-job-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("builds and smoke-tests the repository's own images", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme).toContain("npx runner-kit build --smoke");
    // The runner-kit image needs node:20-bookworm and the npm registry, which this machine lacks.
    expect(readme).toContain("npx runner-kit build runner-aws job-base --smoke --build-arg RUNNER_BASE_IMAGE=debian:bookworm");

    const lock = join(scratch, "lock.json");
    const r = await runBin(["build", "runner-aws", "job-base", "--smoke", "--build-arg", "RUNNER_BASE_IMAGE=debian:bookworm", "--lock-out", lock, "--json"], {
      cwd: ROOT,
      env: { RUNNER_KIT_RUN_ID: runId },
      timeoutMs: 900_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { ok: boolean; images: { id: string; status: string; smoke?: { result: string } }[] };
    expect(summary.ok).toBe(true);
    expect(summary.images.map((i) => [i.id, i.smoke?.result]).sort()).toEqual([
      ["data/job-base", "passed"],
      ["job-base", "passed"],
      ["runner-aws", "passed"],
    ]);
    expect(r.stderr).toContain("aws-cli/");
    expect(Object.keys(JSON.parse(readFileSync(lock, "utf8")).variants).sort()).toEqual(["data/job-base", "job-base", "runner-aws"]);
    await expectNoLeaks(runId);
  });
});
