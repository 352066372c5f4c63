import { describe, expect, it } from "vitest";
import { isRunnerKitError } from "../../src/common/errors.js";
import { parseLintConfig } from "../../src/lint/config.js";
import { RULES } from "../../src/lint/lint.js";
import { applyPolicy, failing, failsAt } from "../../src/lint/policy.js";

const known = RULES.map((r) => r.id);
const parse = (text: string) => parseLintConfig("/p/.hadolint.yaml", text, known);

/** The paragraph a config error shows, or a failure when none is thrown. */
function errorOf(text: string): string {
  try {
    parse(text);
  } catch (error) {
    if (isRunnerKitError(error)) {
      expect(error.exitCode).toBe(2);
      return error.toParagraph();
    }
    throw error;
  }
  throw new Error("expected a config error");
}

describe(".hadolint.yaml parsing", () => {
  it("reads ignored, failure-threshold, override, trustedRegistries and no-fail", () => {
    const { policy, warnings } = parse(
      ["ignored: [DL3015, DL4006]", "failure-threshold: warning", "override:", "  error: [DL3022]", "  info: [DL3007]", "  style: [DL3025]", "trustedRegistries:", "  - registry.example.com", '  - "*.gcr.io"', "no-fail: false", ""].join("\n"),
    );
    expect(warnings).toEqual([]);
    expect(policy.file).toBe("/p/.hadolint.yaml");
    expect([...policy.ignored]).toEqual(["DL3015", "DL4006"]);
    expect(policy.threshold).toBe("warning");
    expect(Object.fromEntries(policy.override)).toEqual({ DL3022: "error", DL3007: "info", DL3025: "style" });
    expect(policy.trustedRegistries).toEqual(["registry.example.com", "*.gcr.io"]);
    expect(policy.noFail).toBe(false);
  });

  it("an empty file is the default policy (threshold error); trustedRegistries may be one string", () => {
    const empty = parse("# nothing yet\n").policy;
    expect(empty).toMatchObject({ threshold: "error", noFail: false, trustedRegistries: [] });
    expect(empty.ignored.size + empty.override.size).toBe(0);
    expect(parse("trustedRegistries: docker.io\n").policy.trustedRegistries).toEqual(["docker.io"]);
  });

  it("an unknown key is an error at file:line:column naming the nearest valid key", () => {
    expect(errorOf("failure-threshold: error\nignore: [DL3015]\n")).toMatch(/^\/p\/\.hadolint\.yaml:2:1: unknown key "ignore" in \(top level\) \(did you mean "ignored"\?\)/);
    expect(errorOf("override:\n  eror: [DL3015]\n")).toMatch(/^\/p\/\.hadolint\.yaml:2:3: unknown key "eror" in override \(did you mean "error"\?\)/);
    expect(errorOf("trusted-registries: [x]\n")).toMatch(/did you mean "trustedRegistries"\?/);
  });

  it("a bad value is an error at its position, and the hint is about the lint configuration", () => {
    const threshold = errorOf("ignored: []\nfailure-threshold: warn\n");
    expect(threshold).toMatch(/^\/p\/\.hadolint\.yaml:2:20: failure-threshold "warn" is not a threshold \(did you mean "warning"\?\); use one of "error", "warning", "info", "style", "ignore" and "none"/);
    expect(errorOf("failure-threshold: 3\n")).toMatch(/:1:20: failure-threshold: .*"error".*"none"/);
    expect(threshold).toMatch(/Fix the lint configuration/);
    expect(threshold).not.toMatch(/runner-kit\.yaml/);
    expect(errorOf("ignored: DL3015\n")).toMatch(/:1:10: ignored: expected a list, got a string \("DL3015"\)/);
    expect(errorOf("override:\n  error: [1]\n")).toMatch(/:2:11: override\.error\[0\]: expected a string/);
    expect(errorOf("no-fail: yes please\n")).toMatch(/:1:10: no-fail: expected a boolean/);
  });

  it("broken YAML is an error at its position", () => {
    expect(errorOf("ignored: [DL3015\n")).toMatch(/^\/p\/\.hadolint\.yaml:\d+:\d+: invalid YAML/);
    expect(errorOf("ignored: []\nignored: []\n")).toMatch(/^\/p\/\.hadolint\.yaml:2:1: invalid YAML/);
  });

  it("a rule id runner-kit does not have is a warning naming the nearest rule it has", () => {
    const { policy, warnings } = parse("ignored:\n  - DL3008\n  - SC2086\noverride:\n  warning: [DL3015, XX9999]\n");
    expect(warnings).toEqual([
      expect.stringMatching(/^\/p\/\.hadolint\.yaml:2:5: rule "DL3008" in ignored is not a rule runner-kit has \(did you mean "DL3006"\?\); it changes nothing/),
      expect.stringMatching(/^\/p\/\.hadolint\.yaml:3:5: rule "SC2086" in ignored is not a rule runner-kit has \(runner-kit has no ShellCheck rules\)/),
      expect.stringMatching(/^\/p\/\.hadolint\.yaml:5:21: rule "XX9999" in override\.warning is not a rule runner-kit has; it changes nothing/),
    ]);
    expect(policy.override.get("DL3015")).toBe("warning");
  });

  it("hadolint keys runner-kit does not use are accepted with a warning; a rule under two severities takes the more severe", () => {
    const { policy, warnings } = parse("format: json\nstrict-labels: true\noverride:\n  info: [DL3007]\n  error: [DL3007]\n");
    expect(policy.override.get("DL3007")).toBe("error");
    expect(warnings).toEqual([
      expect.stringMatching(/:1:1: "format" is a hadolint setting runner-kit does not use; it changes nothing \(pass --format/),
      expect.stringMatching(/:2:1: "strict-labels" is a hadolint setting/),
      expect.stringMatching(/:5:11: rule "DL3007" is under both override\.info and override\.error; it is reported as error/),
    ]);
  });
});

describe("the lint policy", () => {
  const findings = [
    { rule: "DL3015", severity: "error" as const, line: 3, message: "m", fix: "f" },
    { rule: "DL3022", severity: "warning" as const, line: 4, message: "m", fix: "f" },
    { rule: "DL3009", severity: "error" as const, line: 5, message: "m", fix: "f" },
  ];

  it("drops ignored rules and applies overrides (ignoring wins)", () => {
    const { policy } = parse("ignored: [DL3009]\noverride:\n  style: [DL3015, DL3009]\n");
    expect(applyPolicy(findings, policy).map((f) => `${f.rule}:${f.severity}`)).toEqual(["DL3015:style", "DL3022:warning"]);
  });

  it("fails at or above the threshold; ignore fails on anything, none and no-fail never", () => {
    const table = (["error", "warning", "info", "style"] as const).map((s) => ["error", "warning", "info", "style", "ignore", "none"].map((t) => (failsAt(s, t as never) ? 1 : 0)).join(""));
    expect(table).toEqual(["111110", "011110", "001110", "000110"]);
    expect(failing(findings, parse("").policy).map((f) => f.rule)).toEqual(["DL3015", "DL3009"]);
    expect(failing(findings, parse("failure-threshold: warning\n").policy)).toHaveLength(3);
    expect(failing(findings, parse("no-fail: true\n").policy)).toEqual([]);
  });
});
