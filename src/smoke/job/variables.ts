/**
 * GitLab CI variable expansion: `$VAR`, `${VAR}`, `$$` → `$`; unknown variables expand
 * to the empty string (one pass of Go's os.Expand, which GitLab Runner uses). References between
 * variables resolve recursively against the whole set, with a guard against cycles.
 */

export type VariableMap = Record<string, string>;

/** Shell parameters GitLab Runner keeps as they are ($1, $?, …): the job's shell reads them. */
const KEPT_PARAMETERS = new Set(["*", "#", "@", "!", "?", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
const SPECIAL = new Set([...KEPT_PARAMETERS, "$", "-"]);
const isNameChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);

/**
 * The name after a "$" and how many characters it takes, as Go's os.Expand reads it:
 * `{name}` up to the first "}", a special character, or letters, digits and "_". An empty
 * name with a width is bad syntax (eaten); with width 0 the "$" stays.
 */
function shellName(s: string): { name: string; width: number } {
  if (s[0] === "{") {
    if (s.length > 2 && SPECIAL.has(s[1] as string) && s[2] === "}") return { name: s[1] as string, width: 3 };
    const close = s.indexOf("}", 1);
    if (close === 1) return { name: "", width: 2 };
    return close < 0 ? { name: "", width: 1 } : { name: s.slice(1, close), width: close + 1 };
  }
  if (SPECIAL.has(s[0] as string)) return { name: s[0] as string, width: 1 };
  let i = 0;
  while (isNameChar(s[i])) i += 1;
  return { name: s.slice(0, i), width: i };
}

/**
 * One pass of Go's os.Expand with GitLab Runner's mapping: `$NAME` and `${NAME}` become
 * the variable's value ("" when unknown), `$$` a "$", `$1`, `$?` and the other shell
 * parameters stay for the shell; `${A_${B}}` is the variable named "A_${B" (so "" and a "}").
 */
export function expandValue(text: string, lookup: (name: string) => string | undefined): string {
  let out = "";
  let from = 0;
  for (let j = 0; j < text.length - 1; j += 1) {
    if (text[j] !== "$") continue;
    out += text.slice(from, j);
    const { name, width } = shellName(text.slice(j + 1));
    if (name === "" && width === 0) out += "$";
    else if (name === "$") out += "$";
    else if (KEPT_PARAMETERS.has(name)) out += `$${name}`;
    else if (name !== "") out += lookup(name) ?? "";
    j += width;
    from = j + 1;
  }
  return out + text.slice(from);
}

/**
 * Resolve every variable of `raw` (values may reference each other); names in `noExpand`
 * keep their value verbatim (`expand: false`).
 */
export function resolveVariables(raw: VariableMap, noExpand: ReadonlySet<string> = new Set()): VariableMap {
  const done: VariableMap = {};
  const resolving = new Set<string>();
  const resolve = (name: string): string | undefined => {
    if (name in done) return done[name];
    const value = raw[name];
    if (value === undefined) return undefined;
    if (noExpand.has(name)) return (done[name] = value);
    if (resolving.has(name)) return value; // cycle: leave the inner reference unexpanded
    resolving.add(name);
    const out = expandValue(value, resolve);
    resolving.delete(name);
    return (done[name] = out);
  };
  for (const name of Object.keys(raw)) resolve(name);
  return done;
}
