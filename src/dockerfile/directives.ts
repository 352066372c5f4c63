/**
 * Parser directives: the `# name=value` lines at the very top of a Dockerfile that
 * BuildKit reads before anything else (`syntax`, `escape`, `check`). Reading stops at the
 * first line that is not one of them (a blank line, another comment, an instruction, an
 * unknown or repeated directive), exactly where Docker stops looking. Pure.
 */
export interface Directive {
  /** Lower-cased: syntax, escape or check. */
  name: string;
  value: string;
  /** 1-based line. */
  line: number;
}

export type EscapeChar = "\\" | "`";

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const KNOWN = new Set(["syntax", "escape", "check"]);

/** The directives at the top of `lines` (one entry per leading line that is a directive). */
export function parserDirectives(lines: readonly string[]): Directive[] {
  const found: Directive[] = [];
  for (const [index, raw] of lines.entries()) {
    const line = index === 0 ? raw.replace(/^\uFEFF/, "") : raw;
    const match = DIRECTIVE.exec(line.trimStart());
    const name = match?.[1]!.toLowerCase();
    if (!match || !KNOWN.has(name!) || found.some((d) => d.name === name)) break;
    found.push({ name: name!, value: match[2]!, line: index + 1 });
  }
  return found;
}

/** The escape character the directives choose: a backtick or, by default, a backslash. */
export function escapeChar(directives: readonly Directive[]): EscapeChar {
  return directives.find((d) => d.name === "escape")?.value === "`" ? "`" : "\\";
}

/** The text split after its directive lines: `head` is those lines (each with its newline), `body` the rest. */
export function splitDirectives(text: string): { head: string; body: string } {
  const lines = text.split("\n");
  const count = parserDirectives(lines.map((l) => l.replace(/\r$/, ""))).length;
  if (count === 0) return { head: "", body: text };
  return { head: lines.slice(0, count).join("\n") + "\n", body: lines.slice(count).join("\n") };
}
