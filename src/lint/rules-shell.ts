import { isPredefinedArg, PLATFORM_ARGS } from "../dockerfile/declared-args.js";
import type { Dockerfile, EscapeChar, Instruction } from "../dockerfile/parse.js";
import { splitWords, wordValue } from "../dockerfile/words.js";
import { declaredNames, referencedNames } from "./names.js";
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
      const meta = globalScope(file, report);
      for (const stage of file.stages) {
        for (const name of referencedNames(withFlags(stage.from), file.escape)) {
          if (!meta.has(name) && !skipped(name)) report(stage.from, `FROM uses \${${name}}, which no ARG before the first FROM declares`, `add ARG ${name}=<default> at the top of the Dockerfile`);
        }
        const declared = new Set<string>();
        const laterArgs = new Set(stage.instructions.filter((i) => i.keyword === "ARG").flatMap((i) => declaredNames(i, file.escape)));
        for (const instruction of stage.instructions) {
          checkUse(instruction, file.escape, { declared, meta, stageArgs: laterArgs }, report);
          for (const name of declaredNames(instruction, file.escape)) declared.add(name);
        }
      }
    },
  },
];

type Report = Parameters<Rule["check"]>[1];

/**
 * The names in the global scope (BuildKit's platform args and the ARGs before the first
 * FROM), reporting a use before its declaration. One declaration at a time, as Docker
 * reads them there: `ARG A=1 B=$A` is fine.
 */
function globalScope(file: Dockerfile, report: Report): Set<string> {
  const meta = new Set<string>(PLATFORM_ARGS);
  const use = (at: Instruction, text: string) => {
    for (const name of referencedNames(text, file.escape)) if (!meta.has(name) && !skipped(name)) report(at, `\${${name}} is used before ARG ${name} is declared`, `declare ARG ${name} above this line`);
  };
  for (const ins of file.preamble) {
    if (ins.keyword !== "ARG") use(ins, withFlags(ins));
    for (const raw of ins.keyword === "ARG" ? splitWords(ins.args, file.escape) : []) {
      const eq = raw.indexOf("=");
      use(ins, eq >= 0 ? raw.slice(eq + 1) : "");
      meta.add(wordValue(eq >= 0 ? raw.slice(0, eq) : raw, file.escape));
    }
  }
  return meta;
}

/** The instruction's flag values and arguments: Docker expands variables in both. */
function withFlags(ins: Instruction): string {
  return [...ins.flags.flatMap((f) => (f.value === undefined ? [] : [f.value])), ins.args].join(" ");
}

/** Args that need no ARG anywhere (the proxy args and BuildKit's settings; not the platform args, which are global-scope). */
function skipped(name: string): boolean {
  return isPredefinedArg(name) && !PLATFORM_ARGS.includes(name);
}

interface Scope {
  /** Declared so far in this stage (ARG or ENV). */
  declared: Set<string>;
  /** The global scope. */
  meta: Set<string>;
  /** Every ARG the stage declares. */
  stageArgs: Set<string>;
}

function checkUse(instruction: Instruction, escape: EscapeChar, scope: Scope, report: Report): void {
  const isRun = instruction.keyword === "RUN";
  if (!isRun && !EXPANDED.has(instruction.keyword) && instruction.keyword !== "ARG") return;
  const text = instruction.keyword === "ARG" || instruction.keyword === "ENV" ? instruction.args.replace(/^[^=]*=?/, "") : withFlags(instruction);
  for (const name of new Set(referencedNames(text, escape, isRun))) {
    if (scope.declared.has(name) || skipped(name)) continue;
    if (scope.stageArgs.has(name)) {
      report(instruction, `$${name} is used before ARG ${name} is declared in this stage`, `move ARG ${name} above this line`);
    } else if (PLATFORM_ARGS.includes(name)) {
      report(instruction, `$${name} is one of BuildKit's global platform args, which a stage only sees after ARG ${name}`, `add ARG ${name} (without a value) after FROM`);
    } else if (scope.meta.has(name)) {
      report(instruction, `$${name} is declared before FROM, which does not make it visible inside this stage`, `redeclare it in the stage: add ARG ${name} after FROM`);
    } else if (!isRun) {
      report(instruction, `$${name} is not declared by an ARG or ENV in this stage`, `declare ARG ${name} (or ENV ${name}=…) above this line`);
    }
  }
}
