import { declaredNames, referencedNames, type Instruction } from "./parse.js";
import type { Rule } from "./rule.js";

/** A `|` outside quotes that is not part of `||`. */
export function hasPipe(run: string): boolean {
  let quote = "";
  for (let i = 0; i < run.length; i++) {
    const c = run[i]!;
    if (quote) {
      if (c === quote) quote = "";
      else if (c === "\\" && quote === '"') i++;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === "\\") i++;
    else if (c === "|" && run[i + 1] !== "|" && run[i - 1] !== "|") return true;
  }
  return false;
}

/** Build args Docker defines without an ARG instruction. */
const PREDEFINED = new Set(["HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "all_proxy"]);
/** Instructions whose arguments Docker expands ($VAR) itself. */
const EXPANDED = new Set(["FROM", "ADD", "COPY", "ENV", "EXPOSE", "LABEL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR", "ONBUILD"]);

export const shellRules: Rule[] = [
  {
    id: "DL4006",
    severity: "error",
    summary: "pipes run with pipefail",
    check(file, report) {
      for (const stage of file.stages) {
        let pipefail = false;
        for (const instruction of stage.instructions) {
          if (instruction.keyword === "SHELL") pipefail = /-o\s*"?\s*,?\s*"?pipefail/.test(instruction.args) || /pipefail/.test(instruction.args);
          if (instruction.keyword !== "RUN" || pipefail || !hasPipe(instruction.args)) continue;
          if (/^\s*set\s+-[a-z]*o\s+pipefail/.test(instruction.args)) continue;
          report(instruction, "a pipe in RUN hides the failure of every command but the last", 'add SHELL ["/bin/bash", "-o", "pipefail", "-c"] before this RUN (in this stage)');
        }
      }
    },
  },
  {
    id: "RK001",
    severity: "error",
    summary: "ARGs are declared before use, in the stage that uses them",
    check(file, report) {
      const meta = new Set<string>();
      for (const arg of file.meta) {
        for (const name of referencedNames(arg.args)) if (!meta.has(name) && !PREDEFINED.has(name)) report(arg, `\${${name}} is used before ARG ${name} is declared`, `declare ARG ${name} above this line`);
        for (const name of declaredNames(arg)) meta.add(name);
      }
      for (const stage of file.stages) {
        for (const name of referencedNames(stage.from.args)) {
          if (!meta.has(name) && !PREDEFINED.has(name)) report(stage.from, `FROM uses \${${name}}, which no ARG before the first FROM declares`, `add ARG ${name}=<default> at the top of the Dockerfile`);
        }
        const declared = new Set<string>();
        const laterArgs = new Set(stage.instructions.filter((i) => i.keyword === "ARG").flatMap(declaredNames));
        for (const instruction of stage.instructions) {
          checkUse(instruction, declared, meta, laterArgs, report);
          for (const name of declaredNames(instruction)) declared.add(name);
        }
      }
    },
  },
];

function checkUse(
  instruction: Instruction,
  declared: Set<string>,
  meta: Set<string>,
  stageArgs: Set<string>,
  report: Parameters<Rule["check"]>[1],
): void {
  const isRun = instruction.keyword === "RUN";
  if (!isRun && !EXPANDED.has(instruction.keyword) && instruction.keyword !== "ARG") return;
  const text = instruction.keyword === "ARG" || instruction.keyword === "ENV" ? instruction.args.replace(/^[^=]*=?/, "") : instruction.args;
  for (const name of new Set(referencedNames(text, isRun))) {
    if (declared.has(name) || PREDEFINED.has(name)) continue;
    if (stageArgs.has(name)) {
      report(instruction, `$${name} is used before ARG ${name} is declared in this stage`, `move ARG ${name} above this line`);
    } else if (meta.has(name)) {
      report(instruction, `$${name} is declared before FROM, which does not make it visible inside this stage`, `redeclare it in the stage: add ARG ${name} after FROM`);
    } else if (!isRun) {
      report(instruction, `$${name} is not declared by an ARG or ENV in this stage`, `declare ARG ${name} (or ENV ${name}=…) above this line`);
    }
  }
}
