import { describe, expect, it } from "vitest";
import { RunnerKitError } from "../../src/common/errors.js";
import { planJob, type PlanInput } from "../../src/smoke/executor/plan.js";
import { parseJob } from "../../src/smoke/job/parse.js";
import { splitReference } from "../../src/reference/parse.js";
import { parseRunnerConfig } from "../../src/smoke/job/runner-config.js";

const runner = (toml: string) => parseRunnerConfig(toml, "config.toml");

const base = (yaml: string, extra: Partial<PlanInput> = {}): PlanInput => ({
  job: parseJob(yaml, { file: "ci.yml" }),
  projectPath: "local/app",
  networkName: "rk-net",
  jobId: "42",
  hostname: "runner-kit-r1",
  ...extra,
});

describe("planJob (what the executor will do, before Docker is asked anything)", () => {
  it("expands the image, the services and their aliases against the job's variables", () => {
    const plan = planJob(base(`
variables: { TAG: "7", REG: "localhost:5000" }
job:
  image: $REG/tools:$TAG
  services:
    - name: $REG/db:$TAG
      alias: db-$TAG
    - redis
  script: [echo]
`));
    expect(plan.imageRef).toBe("localhost:5000/tools:7");
    expect(plan.image.name).toBe("$REG/tools:$TAG");
    expect(plan.variables.CI_JOB_IMAGE).toBe("localhost:5000/tools:7");
    expect(plan.services.map((s) => [s.index, s.spec.name, s.aliases])).toEqual([
      [0, "localhost:5000/db:7", ["localhost__db", "localhost-db", "db-7"]],
      [1, "redis", ["redis"]],
    ]);
    expect(plan.buildDir).toBe("/builds/local/app");
    expect(plan.variables.CI_PROJECT_DIR).toBe("/builds/local/app");
    // The runner's default: the default bridge, and no CI_BUILD_NETWORK_NAME.
    expect(plan.network).toEqual({ kind: "default" });
    expect(plan.variables).not.toHaveProperty("CI_BUILD_NETWORK_NAME");
    expect(plan.variables.CI_JOB_ID).toBe("42");
    expect(plan.variables.HOSTNAME).toBe("runner-kit-r1");
    // GitLab's job status while before_script and script run, and one node without parallel:.
    expect([plan.variables.CI_JOB_STATUS, plan.variables.CI_NODE_TOTAL]).toEqual(["running", "1"]);
    expect(plan.projectModes).toBe("umask-0000");
    const keep = planJob(base(`variables: { FF_DISABLE_UMASK_FOR_DOCKER_EXECUTOR: "true" }\njob: { image: x, script: [echo] }\n`));
    expect(keep.projectModes).toBe("as-on-disk");
  });

  it("puts runner defaults under the job: --image wins, runner services come first, the job's pull policy beats the default", () => {
    const plan = planJob(base(`
job:
  image: { name: job-image, pull_policy: never, entrypoint: [""] }
  services: [{ name: svc, pull_policy: always }]
  script: [echo]
`, {
      image: "override:1",
      runnerDefaults: runner(`[[runners]]\n[runners.docker]\nimage = "runner-image"\nallowed_pull_policies = ["always", "never", "if-not-present"]\n[[runners.docker.services]]\nname = "runner-svc"\n`),
      pullPolicy: ["if-not-present"],
    }));
    expect(plan.imageRef).toBe("override:1");
    expect(plan.image.entrypoint).toEqual([""]);
    expect(plan.pullPolicy).toEqual(["never"]);
    expect(plan.services.map((s) => [s.spec.name, s.pullPolicy])).toEqual([["runner-svc", ["if-not-present"]], ["svc", ["always"]]]);
  });

  it("takes the time limits from the options, then the job, then GitLab Runner's defaults", () => {
    const job = `job: { image: x, timeout: 10m, script: [echo] }`;
    expect(planJob(base(job))).toMatchObject({ timeoutSeconds: 600, afterScriptTimeoutSeconds: 300, servicesWaitSeconds: 30 });
    expect(planJob(base(job, { timeoutSeconds: 5, afterScriptTimeoutSeconds: 7, servicesTimeoutSeconds: 12 }))).toMatchObject({
      timeoutSeconds: 5, afterScriptTimeoutSeconds: 7, servicesWaitSeconds: 12,
    });
    expect(planJob(base(job, { servicesTimeoutSeconds: 0 })).servicesWaitSeconds).toBe(30);
    expect(planJob(base(job, { runnerDefaults: runner("[[runners]]\n[runners.docker]\nwait_for_services_timeout = 9\n") })).servicesWaitSeconds).toBe(9);
    expect(planJob(base(job, { servicesTimeoutSeconds: -1 })).servicesWaitSeconds).toBeUndefined();
    expect(planJob(base(`job: { image: x, script: [echo] }`)).timeoutSeconds).toBe(3600);
  });

  it("keeps GitLab Runner's alias warnings and leaves a service without a free alias unstarted", () => {
    const plan = planJob(base(`job: { image: x, services: [redis, redis], script: [echo] }`));
    expect(plan.services.map((s) => s.aliases)).toEqual([["redis"], []]);
    expect(plan.aliasWarnings).toEqual(['Skipping alias "redis" for service "redis" (services[1]): alias is already in use by another service.']);
  });

  it("starts no service for one whose name expands to nothing, as GitLab Runner", () => {
    const plan = planJob(base(`job:\n  image: x\n  services: [{ name: $UNDEFINED, alias: gone }, redis]\n  script: [echo]\n`));
    expect(plan.services.map((s) => [s.index, s.spec.name, s.aliases])).toEqual([[0, "redis", ["redis"]]]);
  });

  it("refuses a job without an image, naming the file", () => {
    const error = (() => {
      try {
        planJob(base(`job: { script: [echo] }`));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(RunnerKitError);
    expect((error as RunnerKitError).message).toMatch(/job "job" has no image/);
  });
});

describe("the .gitlab-ci.yml syntax error reads like the project file's", () => {
  it("says invalid YAML at the line and column, with the same hint", () => {
    const error = (() => {
      try {
        parseJob("job:\n  script: [true\n", { file: "ci.yml" });
      } catch (e) {
        return e as RunnerKitError;
      }
    })();
    expect(error?.message).toMatch(/^invalid YAML: /);
    expect(error?.where).toMatchObject({ file: "ci.yml", line: expect.any(Number), column: expect.any(Number) });
    expect(error?.hint).toBe("fix the syntax (indentation, quoting, duplicate keys) and run again");
  });
});

describe("splitReference (the parts as written, never throwing)", () => {
  it.each([
    ["busybox", { name: "busybox" }],
    ["localhost:5000/team/app", { name: "localhost:5000/team/app" }],
    ["localhost:5000/team/app:1.2", { name: "localhost:5000/team/app", tag: "1.2" }],
    ["app@sha256:abc", { name: "app", digest: "sha256:abc" }],
    ["r:5000/app:1@sha256:abc", { name: "r:5000/app", tag: "1", digest: "sha256:abc" }],
    ["Not Valid:$TAG", { name: "Not Valid", tag: "$TAG" }],
  ])("%s", (ref, parts) => {
    expect(splitReference(ref)).toEqual(parts);
  });
});
