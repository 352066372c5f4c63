/**
 * The leading `--name[=value]` flags of an instruction, read the way BuildKit's parser
 * reads them for every instruction: words starting with `--` at the start of the
 * arguments, quotes grouping and removed, a backslash taking the next character, `--`
 * alone ending the flags. Pure.
 */
export interface Flag {
  /** Without the dashes: "mount", "platform", "from". */
  name: string;
  /** After the first "=", unquoted; undefined for a bare `--link`. */
  value?: string;
}

/** One flag word starting at `at`: its text (quotes removed) and where it ends. */
function flagWord(text: string, at: number): { word: string; end: number } {
  let word = "";
  let quote: string | undefined;
  let i = at;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (!quote && /\s/.test(c)) break;
    if (c === "\\" && i + 1 < text.length) word += text[++i];
    else if (quote && c === quote) quote = undefined;
    else if (!quote && (c === '"' || c === "'")) quote = c;
    else word += c;
  }
  return { word, end: i };
}

export function extractFlags(args: string): { flags: Flag[]; rest: string } {
  const flags: Flag[] = [];
  let at = 0;
  for (;;) {
    while (at < args.length && /\s/.test(args[at]!)) at++;
    if (!args.startsWith("--", at)) return { flags, rest: args.slice(at) };
    const { word, end } = flagWord(args, at);
    at = end;
    if (word === "--") return { flags, rest: args.slice(at) };
    const eq = word.indexOf("=");
    flags.push(eq < 0 ? { name: word.slice(2) } : { name: word.slice(2, eq), value: word.slice(eq + 1) });
  }
}
