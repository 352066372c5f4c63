import { failing } from "../policy.js";
import { allFindings, countBySeverity, type LintReport } from "./report.js";

/** The `--json` document: ok, counts, the policy's threshold and file, findings per file. */
export function jsonDocument(report: LintReport) {
  const counts = countBySeverity(report);
  return {
    ok: failing(allFindings(report), report.policy).length === 0,
    errors: counts.error,
    warnings: counts.warning,
    info: counts.info,
    style: counts.style,
    threshold: report.policy.noFail ? "none" : report.policy.threshold,
    config: report.policy.file ?? null,
    files: report.files.map(({ id, file, findings }) => ({ id, file, findings })),
  };
}
