import { createHash } from "node:crypto";
import type { LintReport } from "./report.js";
import { reportPath } from "./report.js";

/**
 * A stable id per finding for GitLab Code Quality and SARIF: the file, the rule, the text of
 * the instruction's line and the message — not the line number, so a finding keeps its id
 * when lines are added above it — plus a counter for identical findings, so ids are unique.
 * In report order (files, then findings).
 */
export function fingerprints(report: LintReport): string[] {
  const seen = new Map<string, number>();
  const out: string[] = [];
  for (const file of report.files) {
    const lines = file.text.split(/\r?\n/);
    for (const finding of file.findings) {
      const key = [reportPath(file.file), finding.rule, (lines[finding.line - 1] ?? "").trim(), finding.message].join("\0");
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      out.push(createHash("sha256").update(`${key}\0${n}`).digest("hex"));
    }
  }
  return out;
}
