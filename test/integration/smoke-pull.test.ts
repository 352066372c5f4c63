/**
 * Pull policies against the real authenticated registry: `always` pulls with the
 * credentials GitLab Runner would use (DOCKER_AUTH_CONFIG here), `never` refuses an image
 * that is not local, and wrong credentials fail the run clearly.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readProgress } from "../../src/engine/progress.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { runInProcess } from "../support/cli.js";
import { expectLinesInOrder, project, smokeEnv, uniqueRunId } from "../fixtures/smoke/helpers.js";
import { dockerAuthConfigFor } from "../support/registry.js";

const registry = inject("registry");
const repo = `${registry.host}/smoke-test/busybox`;
const tag = randomBytes(4).toString("hex");
const remote = `${repo}:${tag}`;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  const d = await docker();
  await d.getImage("busybox:latest").tag({ repo, tag });
  await readProgress(await d.getImage(remote).push({ authconfig: { username: registry.username, password: registry.password, serveraddress: registry.host } }));
  await d.getImage(remote).remove(); // only the registry has it now
});

afterAll(async () => {
  cleanups.forEach((c) => c());
  await (await docker()).getImage(remote).remove().catch(() => undefined);
});

async function run(name: string, policy: string, password: string) {
  const p = project(`t:\n  image:\n    name: ${remote}\n    pull_policy: ${policy}\n  script:\n    - echo pulled-and-ran\n`);
  cleanups.push(p.cleanup);
  const runId = uniqueRunId(name);
  const env = { ...smokeEnv(runId), DOCKER_AUTH_CONFIG: dockerAuthConfigFor(registry, password), HOME: p.dir };
  const r = await runInProcess(["smoke", "--job", ".gitlab-ci.yml"], { cwd: p.dir, env });
  await expectNoLeaks(runId);
  return r;
}

// Sequential: they share the one image name.
describe("smoke: pull policies and registry auth", () => {
  it("never: an image that is not on the daemon is a configuration error (exit 2)", async () => {
    const r = await run("never", "never", registry.password);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`runner-kit: ${remote}: the image ${remote} is not on the Docker daemon and the pull policy is "never". Build or pull it first, or allow pulling with pull_policy: if-not-present.`);
  });

  it("always: wrong credentials fail the pull with one clear paragraph and no secret", async () => {
    const r = await run("badauth", "always", "not-the-password");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`runner-kit: ${remote}: cannot pull the image ${remote}`);
    expect(r.stderr).not.toContain("not-the-password");
  });

  it("always: pulls through the credential resolver, then runs the job", async () => {
    const r = await run("always", "always", registry.password);
    expect(r.code, r.stderr).toBe(0);
    expectLinesInOrder(r.stderr, ["Authenticating with credentials from DOCKER_AUTH_CONFIG", `Pulling docker image ${remote} ...`, "$ echo pulled-and-ran", "pulled-and-ran", "Job succeeded"]);
    expect(r.stderr).not.toContain(registry.password);
  });
});
