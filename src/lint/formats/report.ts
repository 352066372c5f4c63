import type { LintPolicy, LintSeverity } from "../config.js";
import type { ReportedFinding } from "../policy.js";
import type { Rule } from "../rule.js";

/** One linted Dockerfile: the variant it belongs to, its path as shown, its text and findings. */
export interface LintedFile {
  id: string;
  /** Relative to the working directory, as shown to the user. */
  file: string;
  text: string;
  findings: ReportedFinding[];
}

/** Everything a format needs: the files, the policy they were judged by, the rules that ran. */
export interface LintReport {
  files: LintedFile[];
  policy: LintPolicy;
  rules: readonly Pick<Rule, "id" | "severity" | "summary">[];
}

export const LINT_FORMATS = ["tty", "json", "gitlab", "sarif"] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

/** Every finding with its file path. */
export function allFindings(report: LintReport): (ReportedFinding & { file: string })[] {
  return report.files.flatMap((f) => f.findings.map((finding) => ({ ...finding, file: f.file })));
}

export function countBySeverity(report: LintReport): Record<LintSeverity, number> {
  const counts: Record<LintSeverity, number> = { error: 0, warning: 0, info: 0, style: 0 };
  for (const finding of allFindings(report)) counts[finding.severity] += 1;
  return counts;
}

/** A path as a report names it: forward slashes, no leading `./`. */
export function reportPath(file: string): string {
  return file.replace(/\\/g, "/").replace(/^(?:\.\/)+/, "");
}
