/**
 * What a local pipeline run reports: the summary table (job, stage, result, duration)
 * and the JUnit XML document of every job. Pure.
 */
import { plainLog, xml } from "../../smoke/report.js";
import type { JobStatus } from "./graph.js";

export interface JobRecord {
  name: string;
  stage: string;
  status: JobStatus;
  /** Set for jobs that ran. */
  durationMs?: number;
  /** Why the job failed or was not run. */
  reason?: string;
  exitCode?: number;
  /** The job log (jobs that ran). */
  log?: string;
}

const LABEL: Record<JobStatus, string> = {
  passed: "passed",
  failed: "failed",
  "allowed-failure": "failed (allowed to fail)",
  skipped: "skipped",
  manual: "manual (not run)",
};

function seconds(ms: number | undefined): string {
  return ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`;
}

/** The table, columns padded to their widest cell; a reason follows a result that has one. */
export function summaryTable(records: readonly JobRecord[]): string[] {
  const rows = [["job", "stage", "result", "duration"], ...records.map((r) => [r.name, r.stage, LABEL[r.status], seconds(r.durationMs)])];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row, i) => {
    const line = `${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padEnd(widths[1]!)}  ${row[2]!.padEnd(widths[2]!)}  ${row[3]}`;
    const reason = i > 0 ? records[i - 1]!.reason : undefined;
    return reason && records[i - 1]!.status !== "passed" ? `${line}  (${reason})` : line;
  });
}

/** A count line: "4 jobs: 2 passed, 1 failed, 1 skipped". */
export function countLine(records: readonly JobRecord[]): string {
  const counts = (Object.keys(LABEL) as JobStatus[]).flatMap((s) => {
    const n = records.filter((r) => r.status === s).length;
    return n > 0 ? [`${n} ${LABEL[s]}`] : [];
  });
  return `${records.length} job(s): ${counts.join(", ")}`;
}

/**
 * One testsuite per pipeline file, one testcase per job (classname: its stage). A failed
 * job is a failure, an allowed failure too (type "allowed_failure"), a job not run is skipped.
 */
export function pipelineJunit(file: string, records: readonly JobRecord[], redact: (text: string) => string = (t) => t): string {
  const failures = records.filter((r) => r.status === "failed" || r.status === "allowed-failure").length;
  const skipped = records.filter((r) => r.status === "skipped" || r.status === "manual").length;
  const total = (records.reduce((sum, r) => sum + (r.durationMs ?? 0), 0) / 1000).toFixed(3);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="runner-kit pipeline" tests="${records.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${total}">`,
    `  <testsuite name="${xml(file)}" tests="${records.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${total}">`,
  ];
  for (const r of records) {
    const time = ((r.durationMs ?? 0) / 1000).toFixed(3);
    lines.push(`    <testcase name="${xml(r.name)}" classname="${xml(r.stage)}" file="${xml(file)}" time="${time}">`);
    const reason = xml(redact(r.reason ?? LABEL[r.status]));
    if (r.status === "failed" || r.status === "allowed-failure") {
      const type = r.status === "allowed-failure" ? "allowed_failure" : r.exitCode !== undefined ? `exit code ${r.exitCode}` : "failure";
      lines.push(`      <failure message="${reason}" type="${type}"/>`);
    }
    if (r.status === "skipped" || r.status === "manual") lines.push(`      <skipped message="${reason}"/>`);
    if (r.log !== undefined) lines.push(`      <system-out>${xml(redact(plainLog(r.log)))}</system-out>`);
    lines.push("    </testcase>");
  }
  lines.push("  </testsuite>", "</testsuites>", "");
  return lines.join("\n");
}
