/** Doctor's findings as text (one line each, a fix line under problems and warnings) or as one JSON document. Pure. */
import type { Check, CheckStatus } from "./types.js";

const MARK: Record<CheckStatus, string> = { ok: "ok", warning: "warning", problem: "PROBLEM", skipped: "skipped" };

export function doctorText(checks: readonly Check[]): string {
  const areaWidth = Math.max(...checks.map((c) => c.area.length));
  const lines = checks.flatMap((c) => {
    const head = `${MARK[c.status].padEnd(8)} ${c.area.padEnd(areaWidth)}  ${c.subject}: ${c.detail}`;
    return c.fix && c.status !== "ok" && c.status !== "skipped" ? [head, `${" ".repeat(11 + areaWidth)}fix: ${c.fix}`] : [head];
  });
  return `${lines.join("\n")}\n${doctorVerdict(checks)}\n`;
}

export function doctorVerdict(checks: readonly Check[]): string {
  const count = (status: CheckStatus) => checks.filter((c) => c.status === status).length;
  const problems = count("problem");
  const warnings = count("warning");
  if (problems === 0 && warnings === 0) return "All is well.";
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `${plural(problems, "problem")}, ${plural(warnings, "warning")}.`;
}

export function doctorDocument(checks: readonly Check[], project: string | undefined): Record<string, unknown> {
  return {
    project: project ?? null,
    ok: !checks.some((c) => c.status === "problem"),
    problems: checks.filter((c) => c.status === "problem").length,
    warnings: checks.filter((c) => c.status === "warning").length,
    checks,
  };
}
