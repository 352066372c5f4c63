import { asDockerfile, type Dockerfile, type Instruction } from "../dockerfile/parse.js";
import type { Finding, Rule } from "./rule.js";
import { aptRules } from "./rules-apt.js";
import { fromRules } from "./rules-from.js";
import { instructionRules } from "./rules-instructions.js";
import { shellRules } from "./rules-shell.js";
import { directiveRules } from "./rules-directives.js";

export type { Finding, Rule, Severity } from "./rule.js";

/** Every rule, in the order findings are explained in the README. */
export const RULES: readonly Rule[] = [...directiveRules, ...instructionRules, ...fromRules, ...aptRules, ...shellRules];

const IGNORE = /^#\s*(?:hadolint|runner-kit)\s+ignore\s*=\s*([A-Za-z0-9, ]+)/;

/** Rule ids ignored for an instruction: the last `# hadolint ignore=DL3008,DL3015` (or `# runner-kit ignore=…`) comment above it. */
function ignoredRules(at: Instruction): Set<string> {
  const comment = at.comments.findLast((c) => IGNORE.test(c));
  const ids = comment === undefined ? "" : IGNORE.exec(comment)![1]!;
  return new Set(ids.split(/[\s,]+/).filter(Boolean).map((s) => s.toUpperCase()));
}

/** Lint a Dockerfile (text, or the model already parsed): findings sorted by line, minus those ignored inline. */
export function lintDockerfile(input: string | Dockerfile, rules: readonly Rule[] = RULES): Finding[] {
  const file = asDockerfile(input);
  const findings: Finding[] = [];
  for (const rule of rules) {
    rule.check(file, (at, message, fix) => {
      if (ignoredRules(at).has(rule.id)) return;
      findings.push({ rule: rule.id, severity: rule.severity, line: at.line, message, fix });
    });
  }
  return findings.sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
}
