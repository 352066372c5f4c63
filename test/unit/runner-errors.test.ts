import { describe, expect, it } from "vitest";
import { buildRunnerConfig } from "../../src/runner/assemble.js";
import { parseRunnerSection } from "../../src/runner/parse-section.js";
import { TWO_TEAM_ENV, TWO_TEAM_VARIANTS, fakeReadFile, singleInput, thrownBy, twoTeamInput } from "../fixtures/runner/project.js";

const thrown = thrownBy;

const section = (extra: Record<string, unknown>) => () => parseRunnerSection({ url: "https://gitlab.example.com", ...extra }, "runner-kit.yaml: runner");

describe("bad runner sections are configuration errors with one clear paragraph", () => {
  it.each([
    [{ pull_polcy: "always" }, /unknown key "pull_polcy" \(did you mean "pull_policy"\?\)/],
    [{ docker: { ipc_mode: "host" } }, /docker\.ipc_mode: "ipc_mode" is not a key gitlab-runner reads in \[runners\.docker\] \(did you mean "ipcmode"\?\)/],
    [{ options: { tls_ca_file: "/ca.crt" } }, /did you mean "tls-ca-file"\?/],
    [{ docker: { image: "x" } }, /"image" is written by runner-kit in \[runners\.docker\]: set runner\.image/],
    [{ docker: { shm_size: "256m" } }, /"shm_size" in \[runners\.docker\] must be an integer/],
    [{ options: { token: "glrt-x" } }, /tokens come only from the environment/],
    [{ token: "glrt-x" }, /tokens come only from the environment/],
    [{ services: [{ name: "redis", variables: { A: "1" } }] }, /services\.0\.variables: "variables" is not accepted here: gitlab-runner reads a service's variables from "environment"/],
    [{ registries: [{ host: "r.example.com", username: "u", password: "hunter2" }] }, /registries\.0\.password: "password" is not accepted here: secrets are never written in the project file/],
    [{ registries: [{ host: "r.example.com", username: "u" }] }, /needs exactly one of password_env, password_file/],
    [{ registries: [{ host: "https://r.example.com", username: "u", password_env: "P" }] }, /without a scheme/],
    [{ config_json: { ecr: ["1234.dkr.ecr.eu-west-1.amazonaws.com"] } }, /config_json\.ecr\.0: "1234\.dkr\.ecr\.eu-west-1\.amazonaws\.com" is not an Amazon ECR registry host/],
    [{ config_json: { creds_store: "../evil" } }, /contains a path separator/],
    [{ pull_policy: "sometimes" }, /pull_policy/],
    [{ environment: { DOCKER_AUTH_CONFIG: "{}" } }, /DOCKER_AUTH_CONFIG must not be written in the project file/],
    [{ url: "gitlab.example.com" }, /must be the GitLab URL/],
  ])("%j", (extra, message) => {
    const error = thrown(section(extra));
    expect(error.exitCode).toBe(2);
    expect(error.toParagraph()).toMatch(message);
    expect(error.toParagraph()).toMatch(/^runner-kit\.yaml: runner: invalid runner section/);
    expect(error.toParagraph()).not.toContain("hunter2");
    expect(error.toParagraph()).not.toContain("\n");
  });
});

describe("cross-checks when building", () => {
  it("names a missing credential variable and where it is asked for", () => {
    const env = { ...TWO_TEAM_ENV };
    delete env.HUB_TOKEN;
    const error = thrown(() => buildRunnerConfig(twoTeamInput({ env })));
    expect(error.exitCode).toBe(2);
    expect(error.toParagraph()).toMatch(
      /^runner-kit\.yaml: teams\.web\.runner\.registries\[1\]: the credentials of registry "docker\.io" are not available: environment variable HUB_TOKEN \(password_env\) is not set\. Export the variable/,
    );
  });

  it("treats an empty variable as missing (saying it is empty, not unset), and names an unreadable password file", () => {
    const error = thrown(() => buildRunnerConfig(twoTeamInput({ env: { ...TWO_TEAM_ENV, REGISTRY_PASSWORD: "" }, readFile: fakeReadFile({}) })));
    expect(error.toParagraph()).toContain("environment variable REGISTRY_PASSWORD (password_env) is set but empty");
    const fileError = thrown(() => buildRunnerConfig(twoTeamInput({ team: "web", readFile: fakeReadFile({}) })));
    expect(fileError.toParagraph()).toContain("file secrets/web-registry-password (password_file) cannot be read (ENOENT)");
  });

  it("skips an optional registry whose variable is missing, with a warning", () => {
    const runner = parseRunnerSection(
      { url: "https://gitlab.example.com", registries: [{ host: "r.example.com", username: "u", password_env: "NOT_SET", optional: true }] },
      "t",
    );
    const out = buildRunnerConfig(singleInput({ runner }));
    expect(out.files[0]!.content).not.toContain("DOCKER_AUTH_CONFIG");
    expect(out.warnings.join("\n")).toMatch(/NOT_SET .*optional registry is left out/);
  });

  it("rejects an unknown --team with the nearest team", () => {
    const error = thrown(() => buildRunnerConfig(twoTeamInput({ team: "dta" })));
    expect(error.exitCode).toBe(2);
    expect(error.toParagraph()).toMatch(/unknown team "dta" \(did you mean "data"\?\)\. Teams in this project: data, web/);
  });

  it("rejects global keys in a team section", () => {
    const teams = { data: parseRunnerSection({ concurrent: 3 }, "t") };
    const error = thrown(() => buildRunnerConfig(twoTeamInput({ teams })));
    expect(error.toParagraph()).toMatch(/teams\.data\.runner\.concurrent: "concurrent" applies to the whole config\.toml/);
  });

  it("asks for runner.image when the project has several images, and suggests a close key", () => {
    const runner = parseRunnerSection({ url: "https://gitlab.example.com" }, "t");
    expect(thrown(() => buildRunnerConfig(singleInput({ runner, variants: TWO_TEAM_VARIANTS.slice(0, 2) }))).toParagraph()).toMatch(
      /job image is ambiguous.*"job", "runner-aws".*set runner\.image/i,
    );
    const typo = parseRunnerSection({ url: "https://gitlab.example.com", image: "runer-aws" }, "t");
    expect(thrown(() => buildRunnerConfig(singleInput({ runner: typo, variants: TWO_TEAM_VARIANTS.slice(0, 2) }))).toParagraph()).toMatch(
      /did you mean "runner-aws"\?/,
    );
  });

  it("needs a URL and a runner section", () => {
    expect(thrown(() => buildRunnerConfig(singleInput({ runner: parseRunnerSection({}, "t") }))).toParagraph()).toMatch(/has no GitLab URL/);
    expect(thrown(() => buildRunnerConfig(singleInput({ runner: undefined }))).toParagraph()).toMatch(/has no runner section/);
  });

  it("uses an unpinned tag with a warning when runner-kit.lock has no digest", () => {
    const out = buildRunnerConfig(twoTeamInput({ lock: undefined }));
    expect(out.runners.map((r) => [r.image, r.pinned])).toEqual([
      ["registry.example.com:5000/platform/data/job:v1", false],
      ["registry.example.com:5000/platform/job:v1", false],
    ]);
    expect(out.warnings.join("\n")).toMatch(/data\/job: not pushed yet .*runner-kit build --push/);
  });

  it("accepts a full image reference as the runner image", () => {
    const runner = parseRunnerSection({ url: "https://gitlab.example.com", image: "debian:bookworm" }, "t");
    expect(buildRunnerConfig(singleInput({ runner })).runners[0]!.image).toBe("debian:bookworm");
  });
});
