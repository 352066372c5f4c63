import type { Finding } from "./rule.js";
import { LINT_SEVERITIES, type FailureThreshold, type LintPolicy, type LintSeverity } from "./config.js";

/** A finding as reported: its severity after the configuration's `override`. */
export interface ReportedFinding extends Omit<Finding, "severity"> {
  severity: LintSeverity;
}

/** Drop ignored rules and apply severity overrides (ignoring wins over overriding, as in hadolint). */
export function applyPolicy(findings: readonly Finding[], policy: LintPolicy): ReportedFinding[] {
  return findings.filter((f) => !policy.ignored.has(f.rule)).map((f) => ({ ...f, severity: policy.override.get(f.rule) ?? f.severity }));
}

/** error 3, warning 2, info 1, style 0. */
export function severityRank(severity: LintSeverity): number {
  return LINT_SEVERITIES.length - 1 - LINT_SEVERITIES.indexOf(severity);
}

/** Does this finding fail the run? At or above the threshold; `ignore` fails on any finding, `none` on none. */
export function failsAt(severity: LintSeverity, threshold: FailureThreshold): boolean {
  if (threshold === "none") return false;
  if (threshold === "ignore") return true;
  return severityRank(severity) >= severityRank(threshold);
}

/** The findings that make lint exit 1 under this policy. */
export function failing<T extends { severity: LintSeverity }>(findings: readonly T[], policy: LintPolicy): T[] {
  if (policy.noFail) return [];
  return findings.filter((f) => failsAt(f.severity, policy.threshold));
}
