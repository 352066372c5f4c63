import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { pipelineYaml } from "../../src/pipeline/document.js";
import { dockerfileBases } from "../../src/dockerfile/from.js";
import { variantDependencies } from "../../src/project/dependencies.js";
import { generatePipeline, PUBLISH_JOB } from "../../src/pipeline/generate.js";
import { ciSettings } from "../../src/pipeline/ci-settings.js";
import { pipelineProblems } from "../../src/pipeline/validate.js";
import { twoTeamPlan } from "../support/two-team-plan.js";

/**
 * The two-team plan with runner-aws (and data's) built for two platforms; ci.platform_jobs as
 * given. With `--platform`, every variant's `platforms:` is that list too, unless
 * `variantPlatforms` says what the project file lists.
 */
function generate(platformJobs: boolean | undefined, platformFlag?: string[], variantPlatforms?: string[]) {
  const { plan, dockerfiles } = twoTeamPlan("/repo");
  for (const v of plan.variants) if (v.image === "runner-aws" || platformFlag) v.platforms = variantPlatforms ?? platformFlag ?? ["linux/amd64", "linux/arm64"];
  const fromById = new Map(plan.variants.map((v) => [v.id, dockerfileBases(dockerfiles.get(v.id)!, v.args).externalImages]));
  const dependsOn = variantDependencies(plan.variants, fromById);
  const settings = ciSettings(platformJobs === undefined ? undefined : { platform_jobs: platformJobs }, { registry: plan.registry, version: "0.1.0" });
  const pipeline = generatePipeline(plan, { variants: plan.variants, dependsOn, settings, locked: new Set(["runner-aws"]), buildArgs: { AWS_CLI_VERSION: "2.9.19" }, ...(platformFlag ? { platforms: platformFlag } : {}) });
  const text = pipelineYaml(pipeline);
  // Plain YAML: no anchors or aliases for the rules the jobs of a variant share.
  expect(text).not.toMatch(/[&*]a\d/);
  return parse(text) as Record<string, any>;
}

describe("pipeline: ci.platform_jobs", () => {
  it("is off by default: a multi-platform variant is one job that builds its platforms in turn", () => {
    for (const parsed of [generate(undefined), generate(false)]) {
      expect(Object.keys(parsed).filter((k) => k.startsWith("build:runner-aws"))).toEqual(["build:runner-aws"]);
      expect(parsed["build:runner-aws"].script[0]).toContain(" --push --smoke --locked --lock-out locks/runner-aws.lock");
    }
  });

  it("one job per platform (push by digest, its own fragment and JUnit report), then the index job under the variant's own name", () => {
    const parsed = generate(true);
    expect(pipelineProblems(parsed)).toEqual([]);
    expect(Object.keys(parsed).filter((k) => k.startsWith("build:runner-aws"))).toEqual(["build:runner-aws:linux/amd64", "build:runner-aws:linux/arm64", "build:runner-aws"]);
    const arm = parsed["build:runner-aws:linux/arm64"];
    expect(arm.script).toEqual([
      "runner-kit build runner-aws --no-teams --build-arg AWS_CLI_VERSION=2.9.19 --push-platform linux/arm64 --smoke --locked --lock-out locks/runner-aws/linux-arm64.lock --junit reports/runner-aws-linux-arm64.xml --cache-from registry.example.com/platform/runner-aws:latest --cache-inline",
    ]);
    expect(arm.artifacts).toEqual({ when: "always", paths: ["locks/runner-aws/linux-arm64.lock"], reports: { junit: "reports/runner-aws-linux-arm64.xml" }, expire_in: "30 days" });
    // Each platform job waits for what the variant's job waited for: the image it builds FROM.
    expect(arm.needs).toEqual([{ job: "build:job-base", artifacts: false, optional: true }]);
    expect(arm.stage).toBe("images-1");

    const index = parsed["build:runner-aws"];
    expect(index.stage).toBe(arm.stage);
    expect(index.needs).toEqual([
      { job: "build:job-base", artifacts: false, optional: true },
      { job: "build:runner-aws:linux/amd64", artifacts: true },
      { job: "build:runner-aws:linux/arm64", artifacts: true },
    ]);
    expect(index.script).toEqual(["runner-kit build runner-aws --no-teams --build-arg AWS_CLI_VERSION=2.9.19 --push-index locks/runner-aws --locked --lock-out locks/runner-aws.lock"]);
    expect(index.artifacts.paths).toEqual(["locks/runner-aws.lock"]);
    expect(index.rules).toEqual(arm.rules);
    // Teams' variants split the same way; single-platform variants stay one job.
    expect(parsed["build:data/runner-aws:linux/amd64"].script[0]).toContain("runner-kit build runner-aws --team data");
    expect(Object.keys(parsed).filter((k) => k.startsWith("build:job-base"))).toEqual(["build:job-base"]);
    // The publish job merges the index jobs' fragments, as for any variant.
    expect(parsed[PUBLISH_JOB].needs.map((n: { job: string }) => n.job)).toContain("build:runner-aws");
    expect(parsed[PUBLISH_JOB].needs.map((n: { job: string }) => n.job)).not.toContain("build:runner-aws:linux/arm64");
  });

  it("ci --platform: every job carries the same --platform list, so each computes the variant's content hash", () => {
    const parsed = generate(true, ["linux/amd64", "linux/arm64"]);
    expect(parsed["build:job-base:linux/amd64"].script[0]).toContain("runner-kit build job-base --no-teams --build-arg AWS_CLI_VERSION=2.9.19 --platform linux/amd64,linux/arm64 --push-platform linux/amd64 ");
    expect(parsed["build:job-base"].script[0]).toBe("runner-kit build job-base --no-teams --build-arg AWS_CLI_VERSION=2.9.19 --platform linux/amd64,linux/arm64 --push-index locks/job-base --lock-out locks/job-base.lock");
    // runner-aws builds FROM job-base: its platform jobs wait for job-base's index job.
    expect(parsed["build:runner-aws:linux/arm64"].needs).toEqual([{ job: "build:job-base", artifacts: false, optional: true }]);
  });

  it("ci --platform wins over platforms: in the jobs it splits into, as in the --platform every job passes", () => {
    const parsed = generate(true, ["linux/amd64", "linux/arm64", "linux/s390x"], ["linux/amd64", "linux/arm64"]);
    expect(Object.keys(parsed).filter((k) => k.startsWith("build:job-base"))).toEqual(["build:job-base:linux/amd64", "build:job-base:linux/arm64", "build:job-base:linux/s390x", "build:job-base"]);
    expect(parsed["build:job-base:linux/s390x"].script[0]).toContain("--platform linux/amd64,linux/arm64,linux/s390x --push-platform linux/s390x ");
    expect(parsed["build:job-base"].needs.map((n: { job: string }) => n.job)).toContain("build:job-base:linux/s390x");
  });
});
