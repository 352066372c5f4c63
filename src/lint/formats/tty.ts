import { allFindings, countBySeverity, type LintReport } from "./report.js";

/** One line per finding, `file:line: severity RULE: message. Fix: fix.` */
export function ttyLines(report: LintReport): string[] {
  return allFindings(report).map((f) => `${f.file}:${f.line}: ${f.severity} ${f.rule}: ${f.message}. Fix: ${f.fix}.`);
}

/** `linted 2 Dockerfile(s): 1 error(s), 0 warning(s)` (info and style counted when there are any). */
export function summaryLine(report: LintReport): string {
  const counts = countBySeverity(report);
  const extra = [counts.info > 0 ? `, ${counts.info} info` : "", counts.style > 0 ? `, ${counts.style} style` : ""].join("");
  return `linted ${report.files.length} Dockerfile(s): ${counts.error} error(s), ${counts.warning} warning(s)${extra}`;
}
