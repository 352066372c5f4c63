import { describe, expect, it } from "vitest";
import type { RunnerKitError } from "../../src/common/errors.js";
import { parseJob } from "../../src/smoke/job/parse.js";

function refused(yaml: string): RunnerKitError {
  try {
    parseJob(yaml, { file: "ci.yml" });
  } catch (error) {
    return error as RunnerKitError;
  }
  throw new Error("the file was accepted");
}

describe("job keys GitLab does not know are refused, as GitLab refuses them", () => {
  it("names a scirpt: typo at its line and column, with the key meant, instead of 'has no script'", () => {
    const e = refused("job:\n  image: x\n  scirpt:\n    - echo hi\n");
    expect(e.message).toBe('job "job" has the unknown key "scirpt" (did you mean "script"?)');
    expect(e.where).toEqual({ file: "ci.yml", line: 3, column: 3 });
    expect(e.exitCode).toBe(2);
  });

  it("names the nearest valid key for a misspelt one GitLab knows but smoke ignores", () => {
    expect(refused("job:\n  script: [echo]\n  artifcats: { paths: [x] }\n").message).toBe('job "job" has the unknown key "artifcats" (did you mean "artifacts"?)');
  });

  it("finds an unknown key in a template the job extends, at the template's line", () => {
    const e = refused(".tpl:\n  image: x\n  befor_script: [echo]\njob:\n  extends: .tpl\n  script: [echo]\n");
    expect(e.message).toBe('job "job" has the unknown key "befor_script" (did you mean "before_script"?)');
    expect(e.where).toEqual({ file: "ci.yml", line: 3, column: 3 });
  });

  it("keeps keys GitLab knows but a smoke run cannot honour as warnings", () => {
    const job = parseJob("job:\n  image: x\n  script: [echo]\n  rules: [{ when: always }]\n  type: test\n", { file: "ci.yml" });
    expect(job.warnings).toEqual([
      'job "job": "rules" (pipeline rules) has no effect in a smoke run and is ignored',
      'job "job": "type" (the deprecated name of stage) has no effect in a smoke run and is ignored',
    ]);
  });
});

describe("the job model against GitLab's own rules (issue 15, item 8)", () => {
  it("refuses script: '' as GitLab does, at the script", () => {
    const e = refused("job:\n  image: x\n  script: ''\n");
    expect(e.message).toBe("jobs:job script can't be blank");
    expect(e.where).toEqual({ file: "ci.yml", line: 3, column: 11 });
  });

  it("refuses a stage the file does not declare, listing the ones it does (with .pre and .post)", () => {
    expect(refused("stages: [build, check]\njob:\n  image: x\n  stage: deploy\n  script: [echo]\n").message).toBe(
      "jobs:job chosen stage deploy does not exist; available stages are .pre, build, check, .post",
    );
    expect(refused("job:\n  image: x\n  stage: lint\n  script: [echo]\n").message).toBe(
      "jobs:job chosen stage lint does not exist; available stages are .pre, build, test, deploy, .post",
    );
    expect(parseJob("job:\n  image: x\n  stage: deploy\n  script: [echo]\n", { file: "ci.yml" }).stage).toBe("deploy");
    expect(parseJob("stages: [check]\njob:\n  image: x\n  stage: .pre\n  script: [echo]\n", { file: "ci.yml" }).stage).toBe(".pre");
  });
});

describe("image: docker: { user, platform }", () => {
  it("reads the user and the platform, and refuses other keys", () => {
    const job = parseJob("job:\n  image: { name: x, docker: { user: nobody, platform: linux/arm64 } }\n  script: [echo]\n", { file: "ci.yml" });
    expect(job.image).toEqual({ name: "x", user: "nobody", platform: "linux/arm64" });
    expect(job.warnings).toEqual([]);
    expect(refused("job:\n  image: { name: x, docker: { usr: nobody } }\n  script: [echo]\n").message).toMatch(/unknown key "usr" in image:docker/);
  });
});
