/**
 * Docker's word rules for instruction arguments (ARG, FROM, LABEL, …): whitespace
 * separates words, "…" and '…' group (the quotes are not part of the word), the escape
 * character (`\` or the backtick of `# escape=`) takes the next character literally, and,
 * when values are given, $NAME and ${NAME…} expand outside single quotes. Pure.
 */
import type { EscapeChar } from "./directives.js";

/** The value of a variable, or undefined when it is not set. */
export type Lookup = (name: string) => string | undefined;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** `${…}` operators: `-` default, `+` alternative, `?` required; with `:` an empty value counts as unset. */
function applyOperator(value: string | undefined, colon: boolean, op: string, word: string): string {
  const set = value !== undefined && (!colon || value !== "");
  if (op === "-") return set ? value : word;
  if (op === "+") return set ? word : "";
  return value ?? "";
}

/** Expands the variable reference starting at text[at] === "$": its value and how many characters it spans. */
function expandAt(text: string, at: number, escape: EscapeChar, lookup: Lookup): { value: string; length: number } {
  if (text[at + 1] !== "{") {
    const name = NAME.exec(text.slice(at + 1))?.[0];
    return name ? { value: lookup(name) ?? "", length: name.length + 1 } : { value: "$", length: 1 };
  }
  let depth = 0;
  let end = at + 1;
  for (; end < text.length; end++) {
    if (text[end] === "{") depth++;
    else if (text[end] === "}" && --depth === 0) break;
  }
  if (end >= text.length) return { value: text.slice(at), length: text.length - at };
  const inner = text.slice(at + 2, end);
  const name = NAME.exec(inner)?.[0] ?? "";
  const rest = /^(:?)([-+?])([\s\S]*)$/.exec(inner.slice(name.length));
  const value = name === "" ? "" : lookup(name);
  const result = rest ? applyOperator(value, rest[1] === ":", rest[2]!, expandVariables(rest[3]!, escape, lookup)) : (value ?? "");
  return { value: result, length: end - at + 1 };
}

/** Variables expanded in `text` without splitting it into words (an operator's word, a flag's value). */
export function expandVariables(text: string, escape: EscapeChar, lookup: Lookup): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] === escape && i + 1 < text.length) out += text[++i];
    else if (text[i] === "$") {
      const { value, length } = expandAt(text, i, escape, lookup);
      out += value;
      i += length - 1;
    } else out += text[i];
  }
  return out;
}

/** The words of `text` as written (quotes and escapes kept), split at whitespace outside quotes. */
export function splitWords(text: string, escape: EscapeChar = "\\"): string[] {
  const words: string[] = [];
  let start = -1;
  let quote: string | undefined;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === undefined || (!quote && /\s/.test(c))) {
      if (start >= 0) words.push(text.slice(start, i));
      start = -1;
      continue;
    }
    if (start < 0) start = i;
    if (c === escape && quote !== "'") i++;
    else if (quote === c) quote = undefined;
    else if (!quote && (c === '"' || c === "'")) quote = c;
  }
  if (start >= 0) words.push(text.slice(start)); // the text ended on an escape character
  return words;
}

/**
 * One word's value: quotes removed, escapes applied and, with `lookup`, variables expanded
 * ("…" expands, '…' does not). Without `lookup` references stay as written.
 */
export function wordValue(raw: string, escape: EscapeChar = "\\", lookup?: Lookup): string {
  let word = "";
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (c === escape && i + 1 < raw.length) {
      const next = raw[i + 1]!;
      // Inside "…" the escape character only escapes ", $ and itself; elsewhere it is kept.
      if (quote === '"' && next !== '"' && next !== "$" && next !== escape) word += c;
      else word += raw[++i];
    } else if (c === "$" && lookup) {
      const { value, length } = expandAt(raw, i, escape, lookup);
      word += value;
      i += length - 1;
    } else if (c === '"' && quote === '"') quote = undefined;
    else if (!quote && (c === '"' || c === "'")) quote = c;
    else word += c;
  }
  return word;
}

/** The values of an instruction's words (see wordValue). */
export function instructionWords(text: string, escape: EscapeChar = "\\", lookup?: Lookup): string[] {
  return splitWords(text, escape).map((raw) => wordValue(raw, escape, lookup));
}
