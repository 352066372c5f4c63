import { parseDockerfile } from "./parse.js";
import type { Finding, Rule } from "./rule.js";
import { aptRules } from "./rules-apt.js";
import { fromRules } from "./rules-from.js";
import { instructionRules } from "./rules-instructions.js";
import { shellRules } from "./rules-shell.js";

export type { Finding, Rule, Severity } from "./rule.js";

/** Every rule, in the order findings are explained in the README. */
export const RULES: readonly Rule[] = [...instructionRules, ...fromRules, ...aptRules, ...shellRules];

/** Lint Dockerfile text: findings sorted by line, minus those ignored inline. */
export function lintDockerfile(text: string, rules: readonly Rule[] = RULES): Finding[] {
  const file = parseDockerfile(text);
  const findings: Finding[] = [];
  for (const rule of rules) {
    rule.check(file, (at, message, fix) => {
      if (at.ignore.has(rule.id)) return;
      findings.push({ rule: rule.id, severity: rule.severity, line: at.line, message, fix });
    });
  }
  return findings.sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
}
