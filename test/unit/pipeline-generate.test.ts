import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { variantDependencies } from "../../src/project/dependencies.js";
import { pipelineYaml } from "../../src/pipeline/document.js";
import { dockerfileBases } from "../../src/dockerfile/from.js";
import { generatePipeline, PUBLISH_JOB, EMPTY_JOB } from "../../src/pipeline/generate.js";
import { variantsAffectedBy } from "../../src/pipeline/select.js";
import { pipelineProblems } from "../../src/pipeline/validate.js";
import { twoTeamPlan } from "../support/two-team-plan.js";

const GOLDEN = join(import.meta.dirname, "..", "fixtures", "pipeline", "two-team.gitlab-ci.yml");

function setup() {
  const { plan, dockerfiles } = twoTeamPlan("/repo");
  const fromById = new Map(plan.variants.map((v) => [v.id, dockerfileBases(dockerfiles.get(v.id)!, v.args).externalImages]));
  const dependsOn = variantDependencies(plan.variants, fromById);
  return { plan, dependsOn };
}

describe("pipeline generator", () => {
  it("finds image dependencies from FROM lines, across ARG substitution", () => {
    const { dependsOn } = setup();
    expect(Object.fromEntries(dependsOn)).toEqual({
      "job-base": [],
      "runner-aws": ["job-base"],
      "data/job-base": [],
      "data/runner-aws": ["data/job-base"],
    });
  });

  it("matches the golden two-team pipeline byte for byte", () => {
    const { plan, dependsOn } = setup();
    const text = pipelineYaml(generatePipeline(plan, { variants: plan.variants, dependsOn, buildArgs: { AWS_CLI_VERSION: "2.9.19" } }));
    expect(text).toBe(readFileSync(GOLDEN, "utf8"));
  });

  it("is deterministic whatever the variant order", () => {
    const { plan, dependsOn } = setup();
    const a = pipelineYaml(generatePipeline(plan, { variants: plan.variants, dependsOn }));
    const b = pipelineYaml(generatePipeline(plan, { variants: [...plan.variants].reverse(), dependsOn }));
    expect(a).toBe(b);
  });

  it("parses back into a structurally valid GitLab pipeline with needs on the base image", () => {
    const { plan, dependsOn } = setup();
    const parsed = parse(pipelineYaml(generatePipeline(plan, { variants: plan.variants, dependsOn }))) as Record<string, any>;
    expect(pipelineProblems(parsed)).toEqual([]);
    expect(parsed.stages).toEqual(["images-0", "images-1", "publish"]);
    expect(parsed["build:runner-aws"].stage).toBe("images-1");
    expect(parsed["build:runner-aws"].needs).toEqual([{ job: "build:job-base", artifacts: false, optional: true }]);
    expect(parsed["build:data/runner-aws"].script[0]).toBe(
      "npx runner-kit build runner-aws --team data --push --smoke --locked --lock-out locks/data__runner-aws.lock --junit reports/data__runner-aws.xml",
    );
    expect(parsed["build:job-base"].script[0]).toContain("build job-base --no-teams ");
    expect(parsed["build:data/runner-aws"].rules[0].changes).toContain("teams/data/runner-aws/**/*");
    // A change to the base image's inputs re-runs the image built FROM it.
    expect(parsed["build:runner-aws"].rules[0].changes).toContain("images/job-base/**/*");
    expect(parsed[PUBLISH_JOB].needs).toHaveLength(4);
    expect(parsed.variables.DOCKER_HOST).toBe("tcp://docker:2376");
    expect(parsed.default.before_script.join("\n")).toContain("CI_REGISTRY_PASSWORD");
  });

  it("needs only jobs that are in the pipeline", () => {
    const { plan, dependsOn } = setup();
    const only = plan.variants.filter((v) => v.id === "runner-aws");
    const parsed = generatePipeline(plan, { variants: only, dependsOn }) as Record<string, any>;
    expect(parsed["build:runner-aws"].needs).toBeUndefined();
    expect(parsed["build:runner-aws"].stage).toBe("images-0");
    expect(pipelineProblems(parsed)).toEqual([]);
  });

  it("still makes a valid pipeline when nothing changed", () => {
    const { plan, dependsOn } = setup();
    const parsed = generatePipeline(plan, { variants: [], dependsOn });
    expect(Object.keys(parsed)).toContain(EMPTY_JOB);
    expect(pipelineProblems(parsed)).toEqual([]);
  });

  it("selects changed variants and everything built FROM them", () => {
    const { plan, dependsOn } = setup();
    const ids = (files: string[]) => variantsAffectedBy(plan, dependsOn, new Set(files)).map((v) => v.id).sort();
    expect(ids(["images/job-base/Dockerfile"])).toEqual(["job-base", "runner-aws"]);
    expect(ids(["teams/data/runner-aws/packages.hbs"])).toEqual(["data/runner-aws"]);
    expect(ids(["teams/data/job-base/packages.hbs"])).toEqual(["data/job-base", "data/runner-aws"]);
    expect(ids(["templates/job-base/Dockerfile.hbs"])).toEqual(["data/job-base", "data/runner-aws", "job-base", "runner-aws"]);
    expect(ids(["templates/runner-aws/tools.hbs"])).toEqual(["data/runner-aws", "runner-aws"]);
    expect(ids(["smoke/runner-aws.gitlab-ci.yml"])).toEqual(["data/runner-aws", "runner-aws"]);
    expect(ids(["runner-kit.yaml"])).toHaveLength(4);
    expect(ids(["README.md"])).toEqual([]);
  });
});

describe("pipelineProblems", () => {
  it("reports unknown keywords, missing jobs, later-stage needs and cycles", () => {
    const problems = pipelineProblems({
      stages: ["a", "b"],
      one: { stage: "a", script: ["x"], needs: ["two"], scirpt: [] },
      two: { stage: "b", script: ["x"], needs: ["one", "ghost"] },
      three: { stage: "c" },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        "one: unknown keyword scirpt",
        "one: needs two, which runs in a later stage",
        "two: needs ghost, which is not a job",
        "three: stage c is not in stages",
        "three: no script",
        "needs form a cycle: one → two → one",
      ]),
    );
  });
});
