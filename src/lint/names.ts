/**
 * Variable names for lint's ARG checks: the names an ARG or ENV instruction declares and
 * the names a text references. Pure.
 */
import { argDeclarations } from "../dockerfile/declared-args.js";
import type { EscapeChar, Instruction } from "../dockerfile/parse.js";
import { instructionWords } from "../dockerfile/words.js";

/** The names an ARG or ENV instruction declares (ARG A=1 B=2 → A, B; ENV A=1 B=2 → A, B; ENV A 1 → A). */
export function declaredNames(instruction: Instruction, escape: EscapeChar): string[] {
  if (instruction.keyword === "ARG") return [...argDeclarations(instruction, escape)].map((d) => d.name);
  if (instruction.keyword !== "ENV") return [];
  const words = instructionWords(instruction.args, escape);
  if (!words[0]?.includes("=")) return words.slice(0, 1);
  return words.flatMap((w) => (w.indexOf("=") > 0 ? [w.slice(0, w.indexOf("="))] : []));
}

/**
 * Variables referenced as $NAME or ${NAME…}. With `shell`, text in single quotes is
 * skipped (the shell does not expand it); the escape character (and, in a shell, a
 * backslash) makes the next `$` literal.
 */
export function referencedNames(text: string, escape: EscapeChar, shell = false): string[] {
  const names: string[] = [];
  let quote: "" | "'" | '"' = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (shell && (c === "'" || c === '"') && (quote === "" || quote === c)) {
      quote = quote === c ? "" : c;
      continue;
    }
    if (quote === "'") continue;
    if (c === escape || (shell && c === "\\")) {
      i++;
      continue;
    }
    if (c !== "$") continue;
    const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/.exec(text.slice(i));
    if (m) names.push(m[1] ?? m[2]!);
  }
  return names;
}
