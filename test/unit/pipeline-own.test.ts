import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { pipelineProblems } from "../../src/pipeline/validate.js";

/** The repository's own .gitlab-ci.yml must stay a valid pipeline that runs runner-kit. */
describe("the repository's .gitlab-ci.yml", () => {
  const pipeline = parse(readFileSync(join(import.meta.dirname, "..", "..", ".gitlab-ci.yml"), "utf8"), { merge: true }) as Record<string, any>;

  it("passes the structural rules", () => {
    expect(pipelineProblems(pipeline)).toEqual([]);
  });

  it("tests, generates the child pipeline, then triggers it from the artifact", () => {
    expect(pipeline.stages).toEqual(["test", "generate", "build"]);
    for (const job of ["lint", "typecheck", "unit", "render-check"]) expect(pipeline[job].stage).toBe("test");
    expect(pipeline["render-check"].script.join("\n")).toContain("runner-kit render --check");
    expect(pipeline.generate.script.join("\n")).toMatch(/npx runner-kit ci --out child-pipeline\.yml/);
    expect(pipeline.generate.artifacts.paths).toEqual(["child-pipeline.yml"]);
    expect(pipeline["build-images"].trigger.include).toEqual([{ artifact: "child-pipeline.yml", job: "generate" }]);
    expect(pipeline["build-images"].trigger.strategy).toBe("depend");
  });

  it("follows the GitLab docs' variables and builds images only when their inputs change", () => {
    expect(pipeline.variables.IMAGE_NAME).toBe("$CI_REGISTRY_IMAGE:$CI_COMMIT_REF_NAME");
    expect(pipeline.variables.GITLAB_RUNNER_VERSION).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(pipeline.variables.AWS_CLI_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    for (const job of ["generate", "build-images"]) {
      expect(pipeline[job].rules[0].changes).toEqual(expect.arrayContaining(["runner-kit.yaml", "templates/**/*", "images/**/*"]));
    }
  });
});
