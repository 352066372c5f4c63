import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runInProcess } from "../support/cli.js";
import { makeProject } from "../fixtures/project/make-project.js";
import { parse } from "yaml";
import { loadPlan } from "../../src/project/load.js";
import { pipelineProblems } from "../../src/pipeline/validate.js";
import { runnerKitVersion } from "../../src/common/version.js";

describe("runner-kit init", () => {
  it("scaffolds a project that renders and lints clean out of the box", async () => {
    const cwd = makeProject({});
    const init = await runInProcess(["init", "platform"], { cwd });
    expect(init.code, init.stderr).toBe(0);
    const dir = join(cwd, "platform");
    const yaml = readFileSync(join(dir, "runner-kit.yaml"), "utf8");
    expect(yaml).toContain("templates: teams/data");
    expect(readFileSync(join(dir, "teams/data/job-base/extra.hbs"), "utf8")).toContain("ENV PGCONNECT_TIMEOUT=10");
    expect(readFileSync(join(dir, "smoke/job-base.gitlab-ci.yml"), "utf8")).toContain("script:");
    expect(yaml).toContain("\nrunner:\n  url: https://gitlab.example.com");

    const render = await runInProcess(["render"], { cwd: dir });
    expect(render.code, render.stderr).toBe(0);
    expect(render.stderr).not.toContain("warning");
    // The team's overridden partial is in its variant only.
    expect(readFileSync(join(dir, "images/data/job-base/Dockerfile"), "utf8")).toContain("ENV PGCONNECT_TIMEOUT=10");
    expect(readFileSync(join(dir, "images/job-base/Dockerfile"), "utf8")).not.toContain("PGCONNECT_TIMEOUT");
    const lint = await runInProcess(["lint"], { cwd: dir });
    expect(lint.code, lint.stdout).toBe(0);
    expect(lint.stderr).toContain("0 error(s), 0 warning(s)");

    // `config` runs with no environment set: real files at once, credentials optional.
    const config = await runInProcess(["config", "--out", "runner"], { cwd: dir, env: { PATH: process.env.PATH, NO_COLOR: "1" } });
    expect(config.code, config.stderr).toBe(0);
    expect(readFileSync(join(dir, "runner/config.toml"), "utf8")).toMatch(/\[runners\.docker\]\nimage = "registry\.example\.com\/platform\/data\/job-base:bookworm"/);
    expect(config.stderr).toContain("REGISTRY_PASSWORD (password_env) is not set");
  });

  it("writes the ci: section and a parent .gitlab-ci.yml (generate + trigger) whose jobs use ci.image", async () => {
    const cwd = makeProject({});
    expect((await runInProcess(["init", "p"], { cwd })).code).toBe(0);
    const dir = join(cwd, "p");
    const plan = await loadPlan({ cwd: dir });
    const image = `registry.example.com/platform/runner-kit:${runnerKitVersion()}`;
    expect(plan.ci).toEqual({ install: "image", image, tags: ["privileged"] });
    const parent = parse(readFileSync(join(dir, ".gitlab-ci.yml"), "utf8")) as Record<string, any>;
    expect(pipelineProblems(parent)).toEqual([]);
    expect(parent.stages).toEqual(["generate", "build"]);
    expect(parent.generate.image).toBe(image);
    expect(parent.generate.script.join("\n")).toMatch(/runner-kit ci --out child-pipeline\.yml \$since/);
    expect(parent.generate.script.join("\n")).not.toMatch(/npm|npx/);
    expect(parent.generate.artifacts.paths).toEqual(["child-pipeline.yml"]);
    expect(parent["build-images"].trigger).toEqual({ include: [{ artifact: "child-pipeline.yml", job: "generate" }], strategy: "depend" });
  });

  it("never overwrites files unless --force", async () => {
    const cwd = makeProject({});
    await runInProcess(["init"], { cwd });
    writeFileSync(join(cwd, "runner-kit.yaml"), "# mine\n");
    const again = await runInProcess(["init"], { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/runner-kit\.yaml, .* already exist; nothing was written\. Run init in an empty directory, or pass --force/);
    expect(readFileSync(join(cwd, "runner-kit.yaml"), "utf8")).toBe("# mine\n");
    const forced = await runInProcess(["init", "--force"], { cwd });
    expect(forced.code).toBe(0);
    expect(readFileSync(join(cwd, "runner-kit.yaml"), "utf8")).toContain("registry:");
  });
});
