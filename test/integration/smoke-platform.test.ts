/**
 * Scenario test, `image: docker: platform`: the job image is taken for the platform the job
 * names (a local image of another platform does not count) and its container is created
 * for it — here an emulated linux/arm64 busybox (test/support/seed-arm64.sh).
 */
import { afterAll, describe, expect, it } from "vitest";
import { ensureArm64Image } from "../support/arm64.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { project, smokeIn, uniqueRunId } from "../fixtures/smoke/helpers.js";

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

async function run(name: string, platform: string) {
  const image = await ensureArm64Image(await docker());
  const p = project(`t:\n  image: { name: ${image}, pull_policy: never, docker: { platform: ${platform} } }\n  script:\n    - uname -m\n`);
  cleanups.push(p.cleanup);
  const runId = uniqueRunId(name);
  const r = await smokeIn(p.dir, runId, ["--job", ".gitlab-ci.yml"]);
  await expectNoLeaks(runId);
  return { ...r, image };
}

describe.concurrent("smoke: image: docker: platform", () => {
  it("runs the job in the image of that platform, without a warning", async () => {
    const r = await run("platform", "linux/arm64");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^aarch64$/m);
    expect(r.stderr).not.toContain("WARNING");
  });

  it("refuses a local image of another platform under pull_policy never, naming the platform", async () => {
    const r = await run("platform-other", "linux/amd64");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`the image ${r.image} for linux/amd64 is not on the Docker daemon and the pull policy is "never"`);
  });
});
