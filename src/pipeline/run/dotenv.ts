/**
 * `artifacts:reports:dotenv` as GitLab reads it: one `KEY=VALUE` a line, blank lines and
 * `#` comments skipped, a value in matching single or double quotes taken without them.
 * A line that is not a variable is reported, not used. Pure.
 */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseDotenv(text: string, file: string): { variables: Record<string, string>; warnings: string[] } {
  const variables: Record<string, string> = {};
  const warnings: string[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    const name = eq > 0 ? line.slice(0, eq).trim() : "";
    if (!NAME.test(name)) {
      warnings.push(`${file}:${i + 1}: not a KEY=VALUE line; it is left out`);
      continue;
    }
    const value = line.slice(eq + 1).trim();
    const quoted = /^(["'])(.*)\1$/.exec(value);
    variables[name] = quoted ? quoted[2]! : value;
  }
  return { variables, warnings };
}
