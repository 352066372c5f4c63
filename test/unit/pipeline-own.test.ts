import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { pipelineProblems } from "../../src/pipeline/validate.js";
import { registryLoginLine } from "../../src/pipeline/ci-settings.js";
import { loadPlan } from "../../src/project/load.js";
import { runInProcess } from "../support/cli.js";

/** The repository's own .gitlab-ci.yml must stay a valid pipeline that runs runner-kit. */
describe("the repository's .gitlab-ci.yml", () => {
  const pipeline = parse(readFileSync(join(import.meta.dirname, "..", "..", ".gitlab-ci.yml"), "utf8"), { merge: true }) as Record<string, any>;

  it("passes the structural rules", () => {
    expect(pipelineProblems(pipeline)).toEqual([]);
  });

  it("tests, generates the child pipeline, then triggers it from the artifact", () => {
    expect(pipeline.stages).toEqual(["test", "runner-kit-image", "generate", "build"]);
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

describe("runner-kit's own image and generated pipeline", () => {
  const root = join(import.meta.dirname, "..", "..");
  const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;

  it("lists the runner-kit image tagged with package.json's version, which ci.image runs", async () => {
    const plan = await loadPlan({ cwd: root });
    const image = plan.variants.find((v) => v.id === "runner-kit")!;
    expect(image.tags[0]).toBe(version);
    expect(image.smoke?.file).toBe(join(root, "smoke", "runner-kit.gitlab-ci.yml"));
    expect(plan.ci?.image).toBe(`${image.repository}:${version}`);
    expect(plan.ci?.install).toBe("image");
  });

  it("builds the runner-kit image before generate, logging in with the generated jobs' own line", () => {
    const pipeline = parse(readFileSync(join(root, ".gitlab-ci.yml"), "utf8"), { merge: true }) as Record<string, any>;
    const job = pipeline["runner-kit-image"];
    expect(pipeline.stages.indexOf("runner-kit-image")).toBeLessThan(pipeline.stages.indexOf("generate"));
    expect(job.script).toContain(registryLoginLine("registry.example.com"));
    expect(job.script.at(-1)).toMatch(/^npx runner-kit build runner-kit --no-teams --push --smoke/);
    expect(job.tags).toEqual(["privileged"]);
  });

  it("passes the repository's build args only to the variants that declare them", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "rk-own-ci-")), "child.yml");
    const r = await runInProcess(["ci", "--out", out, "--build-arg", "GITLAB_RUNNER_VERSION=v17.3.0", "--build-arg", "AWS_CLI_VERSION=2.9.19"], { cwd: root });
    expect(r.code, r.stderr).toBe(0);
    const child = parse(readFileSync(out, "utf8")) as Record<string, any>;
    expect(pipelineProblems(child)).toEqual([]);
    expect(child["build:runner-aws"].script[0]).toContain("--build-arg AWS_CLI_VERSION=2.9.19 --build-arg GITLAB_RUNNER_VERSION=v17.3.0");
    for (const id of ["job-base", "data/job-base", "runner-kit"]) expect(child[`build:${id}`].script[0]).not.toContain("--build-arg");
    expect(child.default.image).toBe(`registry.example.com/platform/runner-kit:${version}`);
    expect(JSON.stringify(child)).not.toMatch(/npm (ci|run build)/);
  });
});
