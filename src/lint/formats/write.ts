import { gitlabReport } from "./gitlab.js";
import { jsonDocument } from "./json.js";
import type { LintFormat, LintReport } from "./report.js";
import { sarifLog } from "./sarif.js";
import { ttyLines } from "./tty.js";

/** The text a format puts on stdout (or in --output): lines for tty, one JSON document otherwise. */
export function formatReport(format: LintFormat, report: LintReport): string {
  switch (format) {
    case "tty":
      return ttyLines(report).map((line) => `${line}\n`).join("");
    case "json":
      return `${JSON.stringify(jsonDocument(report), null, 2)}\n`;
    case "gitlab":
      return `${JSON.stringify(gitlabReport(report), null, 2)}\n`;
    case "sarif":
      return `${JSON.stringify(sarifLog(report), null, 2)}\n`;
  }
}
