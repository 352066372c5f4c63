/**
 * Scenario tests, CI/CD variables: --env-file and --variable reach the job above the job
 * file's variables, masked values never reach the output, and a bad env file is refused
 * before anything is created.
 */
import { afterAll, describe, expect, inject, it } from "vitest";
import { expectNoLeaks } from "../support/leaks.js";
import { countResources, listManagedResources } from "../support/resources.js";
import { docker } from "../support/docker.js";
import { expectLinesInOrder, project, smokeIn, uniqueRunId } from "../fixtures/smoke/helpers.js";

const { job } = inject("fixtures");
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const CI = [
  "variables:",
  "  FROM_FILE: from-the-job-file",
  "  BOTH: from-the-job-file",
  "t:",
  `  image: ${job}`,
  "  script:",
  '    - echo "file=$FROM_FILE both=$BOTH flag=$FLAG"',
  '    - echo "token=$DEPLOY_TOKEN marked=$MARKED"',
  '    - test "$DEPLOY_TOKEN" = "s3cr3t-t0ken" && test "$MARKED" = "hidden-value-1" && echo values-arrived',
  "",
].join("\n");

describe.concurrent("smoke: --variable and --env-file", () => {
  it("gives the job the env file's and the flags' variables over the job file's, and never prints a masked value", async () => {
    const p = project(CI, { "ci.env": "FROM_FILE=from-env-file\nBOTH=from-env-file\nMARKED=hidden-value-1 # masked\n" });
    cleanups.push(p.cleanup);
    const runId = uniqueRunId("vars");
    const r = await smokeIn(p.dir, runId, ["--job", ".gitlab-ci.yml", "--env-file", "ci.env", "--variable", "BOTH=from-flag", "--variable", "FLAG=on", "--variable", "DEPLOY_TOKEN=s3cr3t-t0ken", "--json"]);
    await expectNoLeaks(runId);
    expect(r.code, r.stderr).toBe(0);
    expectLinesInOrder(r.stderr, ["file=from-env-file both=from-flag flag=on", "token=[redacted] marked=[redacted]", "values-arrived"]);
    for (const out of [r.stdout, r.stderr]) {
      expect(out).not.toContain("s3cr3t-t0ken");
      expect(out).not.toContain("hidden-value-1");
    }
  });

  it("refuses a bad env file with its file:line:column and exit 2, creating nothing", async () => {
    const p = project(CI, { "ci.env": "OK=1\nthis line has no equals sign\n" });
    cleanups.push(p.cleanup);
    const runId = uniqueRunId("vars-bad");
    const r = await smokeIn(p.dir, runId, ["--job", ".gitlab-ci.yml", "--env-file", "ci.env"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ci.env:2:1: "this line has no equals sign" is not a KEY=VALUE line');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(countResources(await listManagedResources(await docker(), runId))).toBe(0);
  });
});
