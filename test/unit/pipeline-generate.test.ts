import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { variantDependencies } from "../../src/project/dependencies.js";
import { pipelineYaml } from "../../src/pipeline/document.js";
import { dockerfileBases } from "../../src/dockerfile/from.js";
import { generatePipeline, PUBLISH_JOB, EMPTY_JOB, LINT_JOB, type PipelineOptions } from "../../src/pipeline/generate.js";
import { ciSettings, pipelineNotes } from "../../src/pipeline/ci-settings.js";
import { variantsAffectedBy } from "../../src/pipeline/select.js";
import { pipelineProblems } from "../../src/pipeline/validate.js";
import { twoTeamPlan } from "../support/two-team-plan.js";

const GOLDEN = join(import.meta.dirname, "..", "fixtures", "pipeline", "two-team.gitlab-ci.yml");

function setup() {
  const { plan, dockerfiles } = twoTeamPlan("/repo");
  const fromById = new Map(plan.variants.map((v) => [v.id, dockerfileBases(dockerfiles.get(v.id)!, v.args).externalImages]));
  const dependsOn = variantDependencies(plan.variants, fromById);
  const settings = ciSettings(undefined, { registry: plan.registry, version: "0.1.0" });
  return { plan, dependsOn, settings };
}

/** The default `ci:` (install: image) unless options say otherwise. */
function generate(options: Partial<PipelineOptions> = {}) {
  const { plan, dependsOn, settings } = setup();
  return generatePipeline(plan, { variants: plan.variants, dependsOn, settings, ...options }) as Record<string, any>;
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
    const text = pipelineYaml(generate({ buildArgs: { AWS_CLI_VERSION: "2.9.19" }, locked: new Set(["job-base", "data/job-base"]), runnerConfig: true }));
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, text);
    expect(text).toBe(readFileSync(GOLDEN, "utf8"));
  });

  it("publishes lint's GitLab Code Quality report from a lint job beside the first images, without a daemon", () => {
    const parsed = parse(pipelineYaml(generate({ settings: ciSettings({ install: "npx" }, { registry: "registry.example.com/platform", version: "0.4.2" }) }))) as Record<string, any>;
    expect(pipelineProblems(parsed)).toEqual([]);
    const lint = parsed[LINT_JOB];
    expect(lint.stage).toBe("images-0");
    expect(lint.script).toEqual(["npx --yes runner-kit@0.4.2 render", "npx --yes runner-kit@0.4.2 lint --format gitlab --output gl-code-quality-report.json"]);
    expect(lint.artifacts).toEqual({ when: "always", reports: { codequality: "gl-code-quality-report.json" }, expire_in: "30 days" });
    // No docker:dind and no registry login: lint reads files only.
    expect(lint.services).toEqual([]);
    expect(lint.before_script).toEqual(parsed[PUBLISH_JOB].before_script);
    expect(lint.before_script.join("\n")).not.toContain("DOCKER_AUTH_CONFIG");
    // The publish job does not wait for it: a lint finding never holds back the lock.
    expect(parsed[PUBLISH_JOB].needs.map((n: { job: string }) => n.job)).not.toContain(LINT_JOB);
    // Nothing to build: no lint job either.
    expect(generate({ variants: [] })[LINT_JOB]).toBeUndefined();
  });

  it("is deterministic whatever the variant order", () => {
    const { plan } = setup();
    const a = pipelineYaml(generate());
    const b = pipelineYaml(generate({ variants: [...plan.variants].reverse() }));
    expect(a).toBe(b);
  });

  it("parses back into a structurally valid GitLab pipeline with needs on the base image", () => {
    const parsed = parse(pipelineYaml(generate({ locked: new Set(["data/runner-aws"]) }))) as Record<string, any>;
    expect(pipelineProblems(parsed)).toEqual([]);
    expect(parsed.stages).toEqual(["images-0", "images-1", "publish"]);
    expect(parsed["build:runner-aws"].stage).toBe("images-1");
    expect(parsed["build:runner-aws"].needs).toEqual([{ job: "build:job-base", artifacts: false, optional: true }]);
    expect(parsed["build:data/runner-aws"].script[0]).toBe(
      `runner-kit build runner-aws --team data --push --smoke --locked --lock-out locks/data__runner-aws.lock --junit reports/data__runner-aws.xml --cache-from ${setup().plan.registry}/data/runner-aws:latest --cache-inline`,
    );
    expect(parsed["build:job-base"].script[0]).toContain("build job-base --no-teams ");
    expect(parsed["build:data/runner-aws"].rules[0].changes).toContain("teams/data/runner-aws/**/*");
    // A change to the base image's inputs re-runs the image built FROM it.
    expect(parsed["build:runner-aws"].rules[0].changes).toContain("images/job-base/**/*");
    expect(parsed[PUBLISH_JOB].needs).toHaveLength(4);
    expect(parsed.variables.DOCKER_HOST).toBe("tcp://docker:2376");
    expect(parsed.default.before_script.join("\n")).toContain("CI_REGISTRY_PASSWORD");
    // Not in the committed lock: no --locked, so the first pipeline can write it.
    expect(parsed["build:job-base"].script[0]).not.toContain("--locked");
  });

  it("needs only jobs that are in the pipeline", () => {
    const { plan } = setup();
    const parsed = generate({ variants: plan.variants.filter((v) => v.id === "runner-aws") });
    expect(parsed["build:runner-aws"].needs).toBeUndefined();
    expect(parsed["build:runner-aws"].stage).toBe("images-0");
    expect(pipelineProblems(parsed)).toEqual([]);
  });

  it("still makes a valid pipeline when nothing changed", () => {
    const parsed = generate({ variants: [] });
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

describe("ci: install modes", () => {
  const registry = "registry.example.com/platform";
  const modes = (ci: Parameters<typeof ciSettings>[0]) => {
    const settings = ciSettings(ci, { registry, version: "0.4.2" });
    const parsed = parse(pipelineYaml(generate({ settings, runnerConfig: true }))) as Record<string, any>;
    expect(pipelineProblems(parsed)).toEqual([]);
    const lines = [...parsed.default.before_script, ...parsed["build:job-base"].script, ...parsed[PUBLISH_JOB].before_script, ...parsed[PUBLISH_JOB].script];
    // Nothing assumes runner-kit's own source tree.
    expect(lines.join("\n")).not.toContain("npm run build");
    return { parsed, lines };
  };

  it("image (the default): runner-kit on PATH in the runner-kit image of this version, no npm at all", () => {
    const { parsed, lines } = modes(undefined);
    expect(parsed.default.image).toBe("registry.example.com/platform/runner-kit:0.4.2");
    expect(lines.join("\n")).not.toMatch(/\bnpm\b|\bnpx\b/);
    expect(parsed["build:job-base"].script[0]).toMatch(/^runner-kit build job-base --no-teams /);
    expect(parsed[PUBLISH_JOB].script).toEqual(["runner-kit lock merge locks/*.lock --out runner-kit.lock", "runner-kit config --out runner"]);
    expect(parsed[PUBLISH_JOB].artifacts.paths).toEqual(["runner-kit.lock", "runner/"]);
  });

  it("npx: the exact version that generated the pipeline, in a Node image", () => {
    const { parsed, lines } = modes({ install: "npx" });
    expect(parsed.default.image).toBe("node:20-bookworm");
    expect(parsed["build:job-base"].script[0]).toMatch(/^npx --yes runner-kit@0\.4\.2 build job-base /);
    expect(parsed[PUBLISH_JOB].script[0]).toMatch(/^npx --yes runner-kit@0\.4\.2 lock merge /);
    expect(lines.join("\n")).not.toContain("npm ci");
  });

  it("package: npm ci, then the bin the project's package.json pins", () => {
    const { parsed } = modes({ install: "package", image: "node:20-alpine" });
    expect(parsed.default.image).toBe("node:20-alpine");
    expect(parsed.default.before_script[0]).toBe("npm ci --no-audit --no-fund");
    expect(parsed[PUBLISH_JOB].before_script).toEqual(["npm ci --no-audit --no-fund"]);
    expect(parsed["build:job-base"].script[0]).toMatch(/^npx --no-install runner-kit build /);
  });

  it("services, tags and variables come from ci:, and the header says dind needs a privileged runner", () => {
    const dind = ciSettings({ tags: ["privileged", "docker"], variables: { FOO: "1" } }, { registry, version: "0.4.2" });
    const text = pipelineYaml(generate({ settings: dind }), ["note one"]);
    const parsed = parse(text) as Record<string, any>;
    expect(parsed.default.tags).toEqual(["privileged", "docker"]);
    expect(parsed.default.services).toEqual([{ name: "docker:27-dind", alias: "docker" }]);
    expect(parsed.variables).toMatchObject({ FOO: "1", DOCKER_HOST: "tcp://docker:2376" });
    expect(text).toMatch(/^# generated by runner-kit ci[^\n]*\n# note one\n/);

    const own = ciSettings({ services: [{ name: "my/dind:1", alias: "docker", command: ["--tls=false"] }], variables: { DOCKER_HOST: "tcp://docker:2375" } }, { registry, version: "0.4.2" });
    const parsed2 = generate({ settings: own });
    expect(parsed2.default.services).toEqual([{ name: "my/dind:1", alias: "docker", command: ["--tls=false"] }]);
    expect(parsed2.variables.DOCKER_HOST).toBe("tcp://docker:2375");
    expect(parsed2.default.tags).toBeUndefined();
    expect(own.dind).toEqual([]);
    expect(pipelineNotes(own, "registry.example.com").join("\n")).not.toContain("privileged");
  });

  it("keeps the privileged-runner note when ci.services still names a docker dind image", () => {
    const note = (services: NonNullable<Parameters<typeof ciSettings>[0]>["services"]) =>
      pipelineNotes(ciSettings({ services, tags: ["privileged"] }, { registry, version: "0.4.2" }), "registry.example.com").join("\n");
    expect(note([{ name: "docker:27-dind", alias: "docker", command: ["--insecure-registry=http://10.0.0.1:5000"] }])).toContain(
      "The docker:27-dind service needs a runner with privileged = true in its config.toml;\nthe jobs are routed to such runners by the tags privileged (ci.tags).",
    );
    expect(note(["docker.io/library/docker:dind-rootless", "postgres:16"])).toContain("The docker.io/library/docker:dind-rootless service needs a runner with privileged = true");
    expect(note(["docker:27-dind", "docker:26-dind"])).toContain("The docker:27-dind, docker:26-dind services need a runner");
    expect(note(["postgres:16", "mirror.example.com/base/docker:27-dind"])).toContain("The mirror.example.com/base/docker:27-dind service needs");
    expect(note(["postgres:16", "docker:27-cli", "my/dind:1"])).not.toContain("privileged");
  });

  it("logs in to the project's registry host, not only $CI_REGISTRY", () => {
    const { plan, dependsOn } = setup();
    const harbor = { ...plan, registry: "harbor.internal:8443/platform/images" };
    const settings = ciSettings(undefined, { registry: harbor.registry, version: "0.4.2" });
    const parsed = generatePipeline(harbor, { variants: plan.variants, dependsOn, settings }) as Record<string, any>;
    const login = parsed.default.before_script.at(-1) as string;
    expect(login).toContain('\\"harbor.internal:8443\\"');
    expect(login).toContain("RUNNER_KIT_REGISTRY_PASSWORD");
  });

  it("gives a build arg only to the variants whose Dockerfile declares it", () => {
    const parsed = generate({
      buildArgs: { GITLAB_RUNNER_VERSION: "v17.3.0", HTTP_PROXY: "http://proxy:3128" },
      declaredArgs: new Map([["runner-aws", ["GITLAB_RUNNER_VERSION"]], ["job-base", []], ["data/job-base", []], ["data/runner-aws", ["GITLAB_RUNNER_VERSION"]]]),
    });
    expect(parsed["build:runner-aws"].script[0]).toContain("--build-arg GITLAB_RUNNER_VERSION=v17.3.0");
    expect(parsed["build:job-base"].script[0]).not.toContain("GITLAB_RUNNER_VERSION");
    // Docker's predefined proxy args need no ARG.
    expect(parsed["build:job-base"].script[0]).toContain("--build-arg HTTP_PROXY=http://proxy:3128");
  });

  it("ci --platform: every job builds its image for those platforms; without it the command is as before", () => {
    const parsed = generate({ platforms: ["linux/amd64", "linux/arm64"] });
    expect(parsed["build:runner-aws"].script[0]).toBe(
      "runner-kit build runner-aws --no-teams --platform linux/amd64,linux/arm64 --push --smoke --lock-out locks/runner-aws.lock --junit reports/runner-aws.xml --cache-from registry.example.com/platform/runner-aws:latest --cache-inline",
    );
    expect(pipelineProblems(parsed)).toEqual([]);
    expect(generate()["build:runner-aws"].script[0]).not.toContain("--platform");
  });

  it("refuses a version that is not a release", () => {
    expect(() => ciSettings(undefined, { registry, version: "latest" })).toThrow(/not a release version/);
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
