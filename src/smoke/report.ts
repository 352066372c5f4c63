/** The final summary, the --json document and the JUnit report of a smoke run. */
import type { SmokeResult } from "./run.js";

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

export function summaryLines(r: SmokeResult): string[] {
  const lines = [
    `job:      ${r.job} (${r.file})`,
    `image:    ${r.image}${r.imageDigest ? ` (${r.imageDigest})` : ""}`,
  ];
  if (r.services.length === 0) lines.push("services: none");
  for (const [i, s] of r.services.entries()) {
    const state = !s.started ? "not started" : s.ready ? `ready in ${seconds(s.readyMs ?? 0)} on port ${s.port}` : s.error ? `not ready (${s.error})` : "not checked";
    lines.push(`${i === 0 ? "services: " : "          "}${s.name} as ${s.aliases.join(", ") || "(no alias)"}: ${state}`);
  }
  lines.push(`duration: ${seconds(r.durationMs)}`);
  const code = r.exitCode !== undefined && r.exitCode !== 0 ? r.exitCode : undefined;
  const reason = r.result === "failed" && r.reason ? r.reason : undefined;
  // The exit code is said once: in the reason when it names it ("exit code 1"), else beside the result.
  const named = code !== undefined && reason !== undefined && new RegExp(`\\bexit code ${code}\\b`).test(reason);
  lines.push(`result:   ${r.result}${code !== undefined && !named ? ` (job exit code ${code})` : ""}${reason ? ` — ${reason}` : ""}`);
  return lines;
}

export function jsonDocument(r: SmokeResult): Record<string, unknown> {
  const { log: _log, ...rest } = r;
  return rest;
}

/** Text made safe for an XML attribute or element (also the pipeline run's JUnit report). */
export function xml(text: string): string {
  return text
    // Characters XML 1.0 cannot carry (terminal control codes from job logs).
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

/** A job log without its colour codes (the `$ command` lines), as a report carries it. */
export function plainLog(text: string): string {
  return text.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "");
}

/** A JUnit XML report GitLab shows in merge requests (artifacts:reports:junit). */
export function junitReport(r: SmokeResult, redact: (text: string) => string = (t) => t): string {
  return junitReportAll([r], redact);
}

/** One JUnit document for several smoke jobs (`build --smoke` of several images): a suite each. */
export function junitReportAll(results: readonly SmokeResult[], redact: (text: string) => string = (t) => t): string {
  const failures = results.filter((r) => r.result === "failed").length;
  const total = (results.reduce((sum, r) => sum + r.durationMs, 0) / 1000).toFixed(3);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="runner-kit smoke" tests="${results.length}" failures="${failures}" errors="0" time="${total}">`,
  ];
  for (const r of results) {
    const failed = r.result === "failed" ? 1 : 0;
    const time = (r.durationMs / 1000).toFixed(3);
    const log = redact(plainLog(r.log));
    lines.push(
      `  <testsuite name="${xml(r.file)}" tests="1" failures="${failed}" errors="0" skipped="0" time="${time}">`,
      `    <testcase name="${xml(r.job)}" classname="${xml(r.image)}" file="${xml(r.file)}" time="${time}">`,
    );
    if (failed) lines.push(`      <failure message="${xml(redact(r.reason ?? "job failed"))}" type="${r.exitCode !== undefined ? `exit code ${r.exitCode}` : "failure"}"/>`);
    lines.push(`      <system-out>${xml(log)}</system-out>`, "    </testcase>", "  </testsuite>");
  }
  lines.push("</testsuites>", "");
  return lines.join("\n");
}
