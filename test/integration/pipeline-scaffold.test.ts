import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { pipelineProblems } from "../../src/pipeline/validate.js";
import { PUBLISH_JOB } from "../../src/pipeline/generate.js";
import { runBin } from "../support/cli.js";

const VERSION = (JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8")) as { version: string }).version;

/**
 * `runner-kit ci` in a fresh `init` scaffold outside this repository (no package.json, no
 * runner-kit source tree): the generated jobs get runner-kit the way `ci.install` says and
 * never from a source tree, and the first pipeline of the project can write its lock.
 */
describe("the pipeline of a fresh scaffold, outside this repository", () => {
  let dir: string;
  const projectFile = () => join(dir, "runner-kit.yaml");
  const original = () => readFileSync(join(dir, "runner-kit.yaml.orig"), "utf8");

  async function generate(ciSection: string | undefined, args: string[] = []) {
    const yaml = original().replace(/\n# How the jobs of the generated pipeline[\s\S]*$/, ciSection === undefined ? "\n" : `\n${ciSection}\n`);
    writeFileSync(projectFile(), ciSection === "as scaffolded" ? original() : yaml);
    const r = await runBin(["ci", "--out", "child-pipeline.yml", ...args], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(join(dir, "child-pipeline.yml"), "utf8");
    const child = parse(text) as Record<string, any>;
    expect(pipelineProblems(child)).toEqual([]);
    const buildJobs = Object.keys(child).filter((k) => k.startsWith("build:"));
    expect(buildJobs.sort()).toEqual(["build:data/job-base", "build:job-base", "build:runner-aws"]);
    const lines = [...child.default.before_script, ...buildJobs.flatMap((k) => child[k].script as string[]), ...child[PUBLISH_JOB].before_script, ...child[PUBLISH_JOB].script];
    // Nothing assumes runner-kit's own source tree.
    expect(lines.join("\n")).not.toContain("npm run build");
    return { child, text, lines, buildJobs };
  }

  beforeAll(async () => {
    const parent = mkdtempSync(join(tmpdir(), "rk-scaffold-ci-"));
    const init = await runBin(["init", "platform-images"], { cwd: parent });
    expect(init.code, init.stderr).toBe(0);
    dir = join(parent, "platform-images");
    expect(existsSync(join(dir, "package.json"))).toBe(false);
    writeFileSync(join(dir, "runner-kit.yaml.orig"), readFileSync(projectFile(), "utf8"));
    const render = await runBin(["render"], { cwd: dir });
    expect(render.code, render.stderr).toBe(0);
  });

  afterAll(() => rmSync(join(dir, ".."), { recursive: true, force: true }));

  it("install: image (as scaffolded): runner-kit on PATH in ci.image, no npm at all, on privileged runners", async () => {
    const { child, text, lines } = await generate("as scaffolded");
    expect(child.default.image).toBe(`registry.example.com/platform/runner-kit:${VERSION}`);
    expect(child.default.tags).toEqual(["privileged"]);
    expect(lines.join("\n")).not.toMatch(/\bnpm\b|\bnpx\b/);
    expect(child["build:job-base"].script[0]).toMatch(/^runner-kit build job-base --no-teams --push --smoke --lock-out locks\/job-base\.lock /);
    expect(child[PUBLISH_JOB].script[0]).toBe("runner-kit lock merge locks/*.lock --out runner-kit.lock");
    expect(child[PUBLISH_JOB].artifacts.paths).toEqual(["runner-kit.lock", "runner/"]);
    expect(text).toContain("# The docker:27-dind service needs a runner with privileged = true");
    expect(text).toContain("# Pushes to registry.example.com as RUNNER_KIT_REGISTRY_USER / RUNNER_KIT_REGISTRY_PASSWORD");
  });

  it("install: npx: the exact version that generated the pipeline, in a Node image", async () => {
    const { child, lines } = await generate("ci:\n  install: npx");
    expect(child.default.image).toBe("node:20-bookworm");
    expect(child.default.tags).toBeUndefined();
    for (const line of lines.filter((l) => /\brunner-kit (build|lock|config)\b/.test(l))) expect(line).toMatch(new RegExp(`^npx --yes runner-kit@${VERSION.replace(/\./g, "\\.")} `));
    expect(lines.join("\n")).not.toContain("npm ci");
  });

  it("install: package: npm ci, then the runner-kit the project's package.json pins", async () => {
    const { child } = await generate("ci:\n  install: package\n  image: node:20-bookworm");
    expect(child.default.before_script[0]).toBe("npm ci --no-audit --no-fund");
    expect(child["build:runner-aws"].script[0]).toMatch(/^npx --no-install runner-kit build runner-aws --no-teams /);
  });

  it("no ci: section: install image with the runner-kit image of this version in the project's registry", async () => {
    const { child } = await generate(undefined);
    expect(child.default.image).toBe(`registry.example.com/platform/runner-kit:${VERSION}`);
    expect(child["build:job-base"].script[0]).toMatch(/^runner-kit build /);
  });

  it("checks --locked only for the variants the committed lock records, and gives a build arg only to who declares it", async () => {
    const contentHash = `sha256:${"c".repeat(64)}`;
    const lock = { version: 1, variants: { "job-base": { repository: "registry.example.com/platform/job-base", tags: ["bookworm", "latest"], contentHash, baseImages: {} } } };
    writeFileSync(join(dir, "runner-kit.lock"), `${JSON.stringify(lock, null, 2)}\n`);
    try {
      const { child } = await generate("as scaffolded", ["--build-arg", "RUNNER_BASE_IMAGE=debian:bookworm"]);
      expect(child["build:job-base"].script[0]).toContain(" --locked ");
      expect(child["build:runner-aws"].script[0]).not.toContain("--locked");
      expect(child["build:runner-aws"].script[0]).toContain("--build-arg RUNNER_BASE_IMAGE=debian:bookworm");
      expect(child["build:job-base"].script[0]).not.toContain("--build-arg");
      expect(child["build:data/job-base"].script[0]).not.toContain("--build-arg");
    } finally {
      rmSync(join(dir, "runner-kit.lock"));
    }
  });

  it("refuses a --build-arg no variant declares, naming the nearest declared one", async () => {
    writeFileSync(projectFile(), original());
    const r = await runBin(["ci", "--out", "typo.yml", "--build-arg", "RUNNER_BASE_IMAG=debian:bookworm"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--build-arg RUNNER_BASE_IMAG is not declared by .*did you mean "RUNNER_BASE_IMAGE"/s);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, "typo.yml"))).toBe(false);
  });

  it("a ci: typo is a configuration error at its line and column, with the nearest key", async () => {
    writeFileSync(projectFile(), original().replace("  tags: [privileged]", "  tgas: [privileged]"));
    const r = await runBin(["ci", "--out", "typo.yml"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/runner-kit\.yaml:\d+:3: .*unknown key "tgas" in ci \(did you mean "tags"\?\)/);
  });
});
