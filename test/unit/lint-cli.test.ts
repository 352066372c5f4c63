import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { runInProcess } from "../support/cli.js";
import { makeProject } from "../fixtures/project/make-project.js";

/** A rendered project whose job-base Dockerfile has one error (DL3006, line of FROM) and one warning (DL3025). */
async function project(files: Record<string, string> = {}): Promise<string> {
  const cwd = makeProject({ "runner-kit.yaml": "registry: r.example.com/p\nimages:\n  job-base:\n    values: {packages: [jq]}\n", ...files });
  const render = await runInProcess(["render"], { cwd });
  expect(render.code, render.stderr).toBe(0);
  const file = join(cwd, "images/job-base/Dockerfile");
  writeFileSync(file, `${readFileSync(file, "utf8").replace("FROM ${JOB_BASE_IMAGE}\n", "FROM debian\n")}CMD bash\n`);
  return cwd;
}

/** The environment of a run outside GitLab CI (the suite itself may run in a GitLab job). */
const LOCAL_ENV = { ...process.env, NO_COLOR: "1", CI_PROJECT_DIR: "" };

const rules = (stdout: string) => (JSON.parse(stdout) as { files: { findings: { rule: string; severity: string }[] }[] }).files.flatMap((f) => f.findings.map((x) => `${x.rule}:${x.severity}`));

describe("runner-kit lint with .hadolint.yaml", () => {
  it("without a config: errors fail, warnings do not; --json and --format json are the same document", async () => {
    const cwd = await project();
    const json = await runInProcess(["lint", "--json"], { cwd });
    expect(json.code).toBe(1);
    expect(rules(json.stdout)).toEqual(["DL3006:error", "DL3025:warning"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, threshold: "error", config: null });
    const format = await runInProcess(["lint", "--format", "json"], { cwd });
    expect(format.stdout).toBe(json.stdout);
  });

  it("reads .hadolint.yaml beside the project file: ignored, override and failure-threshold decide the exit code", async () => {
    const cwd = await project({ ".hadolint.yaml": "ignored: [DL3006]\n" });
    const ignored = await runInProcess(["lint"], { cwd });
    expect(ignored.code, ignored.stderr).toBe(0);
    expect(ignored.stdout).toMatch(/warning DL3025/);
    expect(ignored.stdout).not.toMatch(/DL3006/);
    expect(ignored.stderr).toMatch(/linted 1 Dockerfile\(s\): 0 error\(s\), 1 warning\(s\)/);

    writeFileSync(join(cwd, ".hadolint.yaml"), "ignored: [DL3006]\nfailure-threshold: warning\n");
    const strict = await runInProcess(["lint"], { cwd });
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/runner-kit: lint found 1 finding\(s\) at or above failure-threshold warning in 1 Dockerfile\(s\)/);

    writeFileSync(join(cwd, ".hadolint.yaml"), "override:\n  info: [DL3006]\n  error: [DL3025]\n");
    const overridden = await runInProcess(["lint", "--json"], { cwd });
    expect(overridden.code).toBe(1);
    expect(rules(overridden.stdout)).toEqual(["DL3006:info", "DL3025:error"]);

    // The project file's directory counts, not the working directory; .yml works too.
    mkdirSync(join(cwd, "elsewhere"));
    renameSync(join(cwd, ".hadolint.yaml"), join(cwd, ".hadolint.yml"));
    writeFileSync(join(cwd, ".hadolint.yml"), "failure-threshold: none\n");
    const fromElsewhere = await runInProcess(["-c", "../runner-kit.yaml", "lint", "--json"], { cwd: join(cwd, "elsewhere") });
    expect(fromElsewhere.code, fromElsewhere.stderr).toBe(0);
    expect(JSON.parse(fromElsewhere.stdout)).toMatchObject({ ok: true, errors: 1, threshold: "none", config: join(cwd, ".hadolint.yml") });
  });

  it("--hadolint-config FILE replaces the file beside the project; a missing one is a usage error", async () => {
    const cwd = await project({ ".hadolint.yaml": "failure-threshold: style\n", "ci/lint.yaml": "ignored: [DL3006]\n" });
    const explicit = await runInProcess(["lint", "--hadolint-config", "ci/lint.yaml"], { cwd });
    expect(explicit.code, explicit.stderr).toBe(0);
    const missing = await runInProcess(["lint", "--hadolint-config", "nope.yaml"], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.yaml: the lint configuration file does not exist\. Check the path given to --hadolint-config\./);
  });

  it("a bad .hadolint.yaml is one paragraph with file:line:column and the nearest key; an unknown rule id is a warning", async () => {
    const cwd = await project({ ".hadolint.yaml": "ignored: [DL3006, DL3025]\nfailure_threshold: warning\n" });
    const bad = await runInProcess(["lint"], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/\.hadolint\.yaml:2:1: unknown key "failure_threshold" in \(top level\) \(did you mean "failure-threshold"\?\)\. Fix the lint configuration/);
    expect(bad.stderr).not.toMatch(/\bat .*\.ts:\d+/);

    writeFileSync(join(cwd, ".hadolint.yaml"), "ignored: [DL3006, DL3025, DL3008]\n");
    const warned = await runInProcess(["lint"], { cwd });
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toMatch(/runner-kit: warning: .*\.hadolint\.yaml:1:27: rule "DL3008" in ignored is not a rule runner-kit has \(did you mean "DL3006"\?\)/);
  });
});

describe("runner-kit lint --format", () => {
  it("gitlab --output writes the Code Quality report atomically even when lint fails, stdout stays empty", async () => {
    const cwd = await project();
    const result = await runInProcess(["lint", "--format", "gitlab", "--output", "gl-code-quality-report.json"], { cwd, env: LOCAL_ENV });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/linted 1 Dockerfile\(s\): 1 error\(s\), 1 warning\(s\)/);
    const issues = JSON.parse(readFileSync(join(cwd, "gl-code-quality-report.json"), "utf8"));
    expect(issues.map((i: { check_name: string; severity: string; location: { path: string } }) => [i.check_name, i.severity, i.location.path])).toEqual([
      ["DL3006", "blocker", "images/job-base/Dockerfile"],
      ["DL3025", "major", "images/job-base/Dockerfile"],
    ]);
  });

  it("in GitLab CI the report's paths start at CI_PROJECT_DIR, the repository root", async () => {
    const cwd = await project();
    const env = { ...process.env, NO_COLOR: "1", CI_PROJECT_DIR: join(cwd, "..") };
    const gitlab = await runInProcess(["lint", "--format", "gitlab"], { cwd, env });
    const paths = JSON.parse(gitlab.stdout).map((i: { location: { path: string } }) => i.location.path);
    expect(paths).toEqual([`${basename(cwd)}/images/job-base/Dockerfile`, `${basename(cwd)}/images/job-base/Dockerfile`]);
    const tty = await runInProcess(["lint"], { cwd, env });
    expect(tty.stdout).toMatch(/^images\/job-base\/Dockerfile:/);
    // A project outside CI_PROJECT_DIR keeps paths relative to the working directory.
    const outside = await runInProcess(["lint", "--format", "sarif"], { cwd, env: { ...env, CI_PROJECT_DIR: join(cwd, "sub") } });
    expect(JSON.parse(outside.stdout).runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe("images/job-base/Dockerfile");
  });

  it("sarif on stdout is one JSON document; a bad format or two formats are usage errors and write nothing", async () => {
    const cwd = await project();
    const sarif = await runInProcess(["lint", "--format", "sarif"], { cwd, env: LOCAL_ENV });
    expect(sarif.code).toBe(1);
    const log = JSON.parse(sarif.stdout);
    expect(log.version).toBe("2.1.0");
    expect(log.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toEqual(["DL3006", "DL3025"]);

    const unknown = await runInProcess(["lint", "--format", "xml", "--output", "out.xml"], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--format: unknown lint format "xml"\. Use one of "tty", "json", "gitlab" and "sarif"\./);
    expect(existsSync(join(cwd, "out.xml"))).toBe(false);
    const both = await runInProcess(["lint", "--json", "--format", "sarif"], { cwd });
    expect(both.code).toBe(2);
    expect(both.stdout).toBe("");
  });
});

describe("runner-kit lint with trustedRegistries", () => {
  it("flags a base image from another registry at its FROM line, using the variant's build args", async () => {
    const cwd = await project({ ".hadolint.yaml": "ignored: [DL3006, DL3025]\ntrustedRegistries: [registry.example.com]\n" });
    const file = join(cwd, "images/job-base/Dockerfile");
    const text = readFileSync(file, "utf8").replace("FROM debian\n", "FROM ${JOB_BASE_IMAGE}\n");
    writeFileSync(file, text);
    const line = text.split("\n").findIndex((l) => l.startsWith("FROM ${JOB_BASE_IMAGE} AS")) + 1;
    const result = await runInProcess(["lint"], { cwd });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`images/job-base/Dockerfile:${line}: error DL3026: FROM debian:bookworm pulls from docker.io, which is not in trustedRegistries`);
    writeFileSync(join(cwd, "runner-kit.yaml"), "registry: r.example.com/p\nimages:\n  job-base:\n    values: {packages: [jq]}\n    args: {JOB_BASE_IMAGE: 'registry.example.com/debian:bookworm'}\n");
    const trusted = await runInProcess(["lint"], { cwd });
    expect(trusted.code, trusted.stdout + trusted.stderr).toBe(0);
  });
});
