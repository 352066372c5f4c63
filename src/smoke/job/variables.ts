/**
 * GitLab CI variable expansion: `$VAR`, `${VAR}`, `$$` → `$`; unknown variables expand
 * to the empty string (Go's os.Expand, which GitLab Runner uses). References between
 * variables resolve recursively against the whole set, with a guard against cycles.
 */

export type VariableMap = Record<string, string>;

const REF = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

export function expandValue(text: string, lookup: (name: string) => string | undefined): string {
  return text.replace(REF, (whole, braced: string | undefined, bare: string | undefined) => {
    if (whole === "$$") return "$";
    return lookup((braced ?? bare) as string) ?? "";
  });
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
