import { describe, expect, it } from "vitest";
import { parseLintConfig, type LintPolicy } from "../../src/lint/config.js";
import { fingerprints } from "../../src/lint/formats/fingerprint.js";
import { gitlabReport } from "../../src/lint/formats/gitlab.js";
import { jsonDocument } from "../../src/lint/formats/json.js";
import type { LintReport } from "../../src/lint/formats/report.js";
import { sarifLog } from "../../src/lint/formats/sarif.js";
import { summaryLine, ttyLines } from "../../src/lint/formats/tty.js";
import { formatReport } from "../../src/lint/formats/write.js";
import { lintDockerfile, RULES } from "../../src/lint/lint.js";
import { applyPolicy } from "../../src/lint/policy.js";

// Line 2: DL3006 (error); line 3: DL3009, DL3014, DL3015 (errors); line 4: DL3025 (warning).
const BAD = "# generated\nFROM debian\nRUN apt-get update && apt-get install curl\nCMD bash\n";
const CLEAN = "FROM debian:bookworm\n";

function report(yaml = "", files: [string, string][] = [["./images/a/Dockerfile", BAD], ["images/b/Dockerfile", CLEAN]]): LintReport {
  const policy: LintPolicy = parseLintConfig(".hadolint.yaml", yaml, RULES.map((r) => r.id)).policy;
  return {
    policy,
    rules: RULES,
    files: files.map(([file, text], i) => ({ id: `v${i}`, file, text, findings: applyPolicy(lintDockerfile(text), policy) })),
  };
}

describe("tty and json", () => {
  it("tty: one line per finding and a summary counting info and style only when present", () => {
    const r = report("override:\n  info: [DL3025]\n");
    expect(ttyLines(r)).toEqual([
      expect.stringMatching(/^\.\/images\/a\/Dockerfile:2: error DL3006: .*\. Fix: .*\.$/),
      expect.stringMatching(/:3: error DL3009: /),
      expect.stringMatching(/:3: error DL3014: /),
      expect.stringMatching(/:3: error DL3015: /),
      expect.stringMatching(/:4: info DL3025: /),
    ]);
    expect(summaryLine(r)).toBe("linted 2 Dockerfile(s): 4 error(s), 0 warning(s), 1 info");
    expect(formatReport("tty", report("", [["x", CLEAN]]))).toBe("");
  });

  it("json: today's document (ok, errors, warnings, files) plus info, style, threshold and config", () => {
    const doc = JSON.parse(formatReport("json", report("ignored: [DL3014]\nfailure-threshold: warning\noverride:\n  style: [DL3006]\n")));
    expect(doc).toMatchObject({ ok: false, errors: 2, warnings: 1, info: 0, style: 1, threshold: "warning", config: ".hadolint.yaml" });
    expect(doc.files.map((f: { id: string; file: string }) => [f.id, f.file])).toEqual([["v0", "./images/a/Dockerfile"], ["v1", "images/b/Dockerfile"]]);
    expect(doc.files[0].findings[0]).toEqual({ rule: "DL3006", severity: "style", line: 2, message: expect.any(String), fix: expect.any(String) });
    expect(doc.files[0]).not.toHaveProperty("text");
    expect(jsonDocument(report("ignored: [DL3006, DL3009, DL3014, DL3015]\n"))).toMatchObject({ ok: true, errors: 0, warnings: 1 });
    expect(jsonDocument(report("no-fail: true\n"))).toMatchObject({ ok: true, threshold: "none" });
  });
});

describe("GitLab Code Quality", () => {
  it("is an array of issues with exactly GitLab's fields, severities mapped as hadolint maps them", () => {
    const issues = JSON.parse(formatReport("gitlab", report("override:\n  info: [DL3015]\n  style: [DL3014]\n")));
    expect(Array.isArray(issues)).toBe(true);
    expect(issues).toHaveLength(5);
    for (const issue of issues) {
      expect(Object.keys(issue).sort()).toEqual(["check_name", "description", "fingerprint", "location", "severity"]);
      expect(Object.keys(issue.location).sort()).toEqual(["lines", "path"]);
      expect(Object.keys(issue.location.lines)).toEqual(["begin"]);
      expect(issue.location.path).toBe("images/a/Dockerfile");
      expect(issue.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(["info", "minor", "major", "critical", "blocker"]).toContain(issue.severity);
    }
    const first = issues[0];
    expect(first.check_name).toBe("DL3006");
    expect(first.description).toMatch(/^DL3006: FROM debian .*\. Fix: .*\.$/);
    expect(first.location.lines.begin).toBe(2);
    expect(issues.map((i: { check_name: string; severity: string }) => `${i.check_name}:${i.severity}`)).toEqual([
      "DL3006:blocker",
      "DL3009:blocker",
      "DL3014:info",
      "DL3015:minor",
      "DL3025:major",
    ]);
    expect(new Set(issues.map((i: { fingerprint: string }) => i.fingerprint)).size).toBe(5);
  });

  it("fingerprints are stable when lines move, unique for identical findings, different per file", () => {
    const id = (files: [string, string][]) => gitlabReport(report("", files)).map((i) => i.fingerprint);
    const [before] = id([["Dockerfile", "FROM debian\n"]]);
    const [after] = id([["Dockerfile", "# a new comment\n\nFROM debian\n"]]);
    expect(after).toBe(before);
    expect(id([["other/Dockerfile", "FROM debian\n"]])[0]).not.toBe(before);
    const twice = id([["Dockerfile", "FROM debian\nFROM debian\n"]]);
    expect(twice).toHaveLength(2);
    expect(twice[0]).not.toBe(twice[1]);
    expect(fingerprints(report("", [["Dockerfile", "FROM debian\n"]]))).toEqual([before]);
  });
});

/** The structural rules of SARIF 2.1.0 that consumers (GitHub code scanning, GitLab, VS Code) depend on. */
function sarifProblems(log: unknown): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => void (ok || problems.push(what));
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObj(log)) return ["log is not an object"];
  check(log.version === "2.1.0", "version is 2.1.0");
  check(typeof log.$schema === "string" && /sarif-2\.1\.0/.test(log.$schema), "$schema names SARIF 2.1.0");
  check(Array.isArray(log.runs) && log.runs.length > 0, "runs is a non-empty array");
  for (const run of (log.runs as unknown[]) ?? []) {
    if (!isObj(run) || !isObj(run.tool) || !isObj(run.tool.driver)) { problems.push("run.tool.driver"); continue; }
    const driver = run.tool.driver;
    check(typeof driver.name === "string" && driver.name !== "", "driver.name");
    const rules = Array.isArray(driver.rules) ? (driver.rules as Record<string, unknown>[]) : [];
    check(new Set(rules.map((r) => r.id)).size === rules.length, "rule ids are unique");
    for (const rule of rules) {
      check(typeof rule.id === "string", "rule.id");
      check(isObj(rule.shortDescription) && typeof rule.shortDescription.text === "string", `rule ${String(rule.id)} shortDescription.text`);
      const config = rule.defaultConfiguration as Record<string, unknown> | undefined;
      check(config === undefined || ["none", "note", "warning", "error"].includes(config.level as string), `rule ${String(rule.id)} level`);
    }
    check(Array.isArray(run.results), "run.results is an array");
    for (const result of (run.results as Record<string, unknown>[]) ?? []) {
      check(isObj(result.message) && typeof result.message.text === "string", "result.message.text");
      check(["none", "note", "warning", "error"].includes(result.level as string), "result.level");
      const index = result.ruleIndex as number;
      check(Number.isInteger(index) && rules[index]?.id === result.ruleId, `result ruleIndex points at ${String(result.ruleId)}`);
      for (const location of (result.locations as Record<string, Record<string, Record<string, unknown>>>[]) ?? []) {
        const physical = location.physicalLocation!;
        check(typeof physical.artifactLocation?.uri === "string" && !/^\.\/|\\/.test(physical.artifactLocation.uri as string), "artifactLocation.uri is a relative URI reference");
        check(Number.isInteger(physical.region?.startLine) && (physical.region!.startLine as number) >= 1, "region.startLine >= 1");
      }
    }
  }
  return problems;
}

describe("SARIF 2.1.0", () => {
  it("is a structurally valid log with the rule metadata and one result per finding", () => {
    const log = JSON.parse(formatReport("sarif", report("ignored: [DL3014]\noverride:\n  style: [DL3009]\n")));
    expect(sarifProblems(log)).toEqual([]);
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe("runner-kit");
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(RULES.map((r) => r.id));
    const byId = Object.fromEntries(run.tool.driver.rules.map((r: { id: string }) => [r.id, r]));
    expect(byId.DL3006).toEqual({ id: "DL3006", shortDescription: { text: RULES.find((r) => r.id === "DL3006")!.summary }, defaultConfiguration: { level: "error", enabled: true }, properties: { severity: "error" } });
    expect(byId.DL3009.defaultConfiguration).toEqual({ level: "note", enabled: true });
    expect(byId.DL3014.defaultConfiguration.enabled).toBe(false);
    expect(byId.DL3025.defaultConfiguration.level).toBe("warning");
    expect(run.results.map((r: { ruleId: string; level: string }) => `${r.ruleId}:${r.level}`)).toEqual(["DL3006:error", "DL3009:note", "DL3015:error", "DL3025:warning"]);
    const first = run.results[0];
    expect(first.message.text).toMatch(/^FROM debian .*\. Fix: .*\.$/);
    expect(first.locations).toEqual([{ physicalLocation: { artifactLocation: { uri: "images/a/Dockerfile" }, region: { startLine: 2 } } }]);
    expect(first.partialFingerprints["runnerKitFinding/v1"]).toBe(gitlabReport(report("ignored: [DL3014]\n"))[0]!.fingerprint);
  });

  it("a clean run is still a valid log with its rules; the checker catches a broken one", () => {
    const log = sarifLog(report("", [["Dockerfile", CLEAN]]));
    expect(log.runs[0]!.results).toEqual([]);
    expect(sarifProblems(log)).toEqual([]);
    const broken = JSON.parse(JSON.stringify(sarifLog(report())));
    broken.version = "2.0.0";
    broken.runs[0].results[0].ruleIndex = 99;
    broken.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    expect(sarifProblems(broken)).toEqual(["version is 2.1.0", "result ruleIndex points at DL3006", "region.startLine >= 1"]);
  });
});
