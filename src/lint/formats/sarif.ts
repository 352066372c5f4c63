import type { LintSeverity } from "../config.js";
import { fingerprints } from "./fingerprint.js";
import { allFindings, reportPath, type LintReport } from "./report.js";

export type SarifLevel = "error" | "warning" | "note";

/** SARIF has three levels; info and style are both notes (as hadolint maps them). */
export const SARIF_LEVEL: Readonly<Record<LintSeverity, SarifLevel>> = { error: "error", warning: "warning", info: "note", style: "note" };

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

export interface SarifRule {
  id: string;
  shortDescription: { text: string };
  defaultConfiguration: { level: SarifLevel; enabled: boolean };
  properties: { severity: LintSeverity };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
  partialFingerprints: { "runnerKitFinding/v1": string };
}

export interface SarifLog {
  $schema: string;
  version: "2.1.0";
  runs: { tool: { driver: { name: string; rules: SarifRule[] } }; results: SarifResult[] }[];
}

/**
 * A SARIF 2.1.0 log with one run: the rules that ran, with their configured level (after
 * `override`; ignored rules disabled), and one result per finding. URIs are relative to the
 * working directory.
 */
export function sarifLog(report: LintReport): SarifLog {
  const { policy } = report;
  const rules: SarifRule[] = report.rules.map((rule) => {
    const severity = policy.override.get(rule.id) ?? rule.severity;
    return {
      id: rule.id,
      shortDescription: { text: rule.summary },
      defaultConfiguration: { level: SARIF_LEVEL[severity], enabled: !policy.ignored.has(rule.id) },
      properties: { severity },
    };
  });
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const ids = fingerprints(report);
  const results: SarifResult[] = allFindings(report).map((f, i) => ({
    ruleId: f.rule,
    ruleIndex: index.get(f.rule) ?? -1,
    level: SARIF_LEVEL[f.severity],
    message: { text: `${f.message}. Fix: ${f.fix}.` },
    locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(reportPath(f.file)) }, region: { startLine: f.line } } }],
    partialFingerprints: { "runnerKitFinding/v1": ids[i]! },
  }));
  return { $schema: SARIF_SCHEMA, version: "2.1.0", runs: [{ tool: { driver: { name: "runner-kit", rules } }, results }] };
}
