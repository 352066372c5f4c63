import type { LintSeverity } from "../config.js";
import { fingerprints } from "./fingerprint.js";
import { allFindings, reportPath, type LintReport } from "./report.js";

/** One issue of a GitLab Code Quality report (artifacts:reports:codequality). */
export interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: "info" | "minor" | "major" | "critical" | "blocker";
  location: { path: string; lines: { begin: number } };
}

/** hadolint's own mapping in its Code Quality output, so a switch from hadolint keeps the widget's ranking. */
export const CODE_QUALITY_SEVERITY: Readonly<Record<LintSeverity, CodeQualityIssue["severity"]>> = {
  error: "blocker",
  warning: "major",
  info: "minor",
  style: "info",
};

/** The GitLab Code Quality report: a JSON array of issues, paths relative to the working directory. */
export function gitlabReport(report: LintReport): CodeQualityIssue[] {
  const ids = fingerprints(report);
  return allFindings(report).map((f, i) => ({
    description: `${f.rule}: ${f.message}. Fix: ${f.fix}.`,
    check_name: f.rule,
    fingerprint: ids[i]!,
    severity: CODE_QUALITY_SEVERITY[f.severity],
    location: { path: reportPath(f.file), lines: { begin: f.line } },
  }));
}
