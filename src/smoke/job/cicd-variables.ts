/**
 * The CI/CD variables a run is given from outside the job file — what a project's or group's
 * settings give a job in GitLab: `--env-file FILE` (dotenv) and `--variable KEY=VALUE`
 * (repeatable). They rank above the `.gitlab-ci.yml` variables, as settings variables do in
 * GitLab; `--variable` above the file (the command line is the most specific). A value is
 * masked — registered as a secret, so it is never printed — when its name looks secret
 * (common/secrets.ts) or its env-file line ends in `# masked`. Pure.
 */
import { configError, usageError } from "../../common/errors.js";
import { looksSecretName } from "../../common/secrets.js";
import type { VariableMap } from "./variables.js";

export interface CicdVariables {
  values: VariableMap;
  /** Names whose values must never be printed. */
  masked: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `--variable KEY=VALUE`; `--variable KEY` takes KEY's value from runner-kit's own
 * environment (so a secret need not appear on the command line) and is an error when unset.
 */
export function variableFlag(arg: string, env: NodeJS.ProcessEnv): [string, string] {
  const eq = arg.indexOf("=");
  const name = eq < 0 ? arg : arg.slice(0, eq);
  if (!NAME.test(name)) {
    throw usageError(`--variable ${eq < 0 ? arg : `${name}=…`}: "${name}" is not a variable name`, { hint: "write --variable KEY=VALUE (letters, digits and _; not starting with a digit)" });
  }
  if (eq >= 0) return [name, arg.slice(eq + 1)];
  const value = env[name];
  if (value === undefined) {
    throw usageError(`--variable ${name} takes its value from the environment, but ${name} is not set`, { hint: `set ${name}, or write --variable ${name}=VALUE` });
  }
  return [name, value];
}

/** One unquoted, single- or double-quoted value and what follows it on the line. */
function readValue(raw: string, where: { file: string; line: number; column: number }): { value: string; comment: string } {
  const quote = raw[0];
  if (quote === "'" || quote === '"') {
    let value = "";
    for (let i = 1; i < raw.length; i += 1) {
      const c = raw[i] as string;
      if (c === quote) {
        const rest = raw.slice(i + 1).trim();
        if (rest !== "" && !rest.startsWith("#")) throw configError(`unexpected text after the closing quote: ${rest}`, { where: { ...where, column: where.column + i + 1 } });
        return { value, comment: rest.replace(/^#\s*/, "") };
      }
      if (quote === '"' && c === "\\" && i + 1 < raw.length) {
        const next = raw[(i += 1)] as string;
        value += next === "n" ? "\n" : next === "t" ? "\t" : next;
        continue;
      }
      value += c;
    }
    throw configError(`the value's ${quote === '"' ? "double" : "single"} quote is never closed`, { where, hint: "close the quote on the same line" });
  }
  const hash = raw.search(/\s#/);
  return hash < 0 ? { value: raw.trim(), comment: "" } : { value: raw.slice(0, hash).trim(), comment: raw.slice(hash).trim().replace(/^#\s*/, "") };
}

/**
 * A dotenv file: `KEY=VALUE` lines, optionally `export KEY=VALUE`; blank lines and `#`
 * comments skipped; values unquoted (trimmed, ` #` starts a comment), 'single-quoted'
 * (as written) or "double-quoted" (\n, \t, \" and \\ escapes); a later line wins.
 */
export function parseEnvFile(text: string, file: string): CicdVariables {
  const values: VariableMap = {};
  const masked = new Set<string>();
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    const trimmed = line.trimStart();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const indent = line.length - trimmed.length;
    const body = trimmed.replace(/^export\s+/, "");
    const start = indent + (trimmed.length - body.length);
    const where = { file, line: index + 1, column: start + 1 };
    const eq = body.indexOf("=");
    const name = (eq < 0 ? body : body.slice(0, eq)).trim();
    if (eq < 0) throw configError(`"${body.trim()}" is not a KEY=VALUE line`, { where, hint: "write one KEY=VALUE per line; # starts a comment" });
    if (!NAME.test(name)) throw configError(`"${name}" is not a variable name`, { where, hint: "use letters, digits and _, not starting with a digit" });
    const after = body.slice(eq + 1);
    const lead = after.length - after.trimStart().length;
    const { value, comment } = readValue(after.trimStart(), { ...where, column: start + eq + 2 + lead });
    values[name] = value;
    if (/^masked\b/i.test(comment)) masked.add(name);
    else masked.delete(name);
  }
  return { values, masked: [...masked] };
}

/** The run's CI/CD variables: the env file's, then the --variable flags over them; secret-looking names masked. */
export function cicdVariables(o: { envFile?: CicdVariables; flags?: string[]; env: NodeJS.ProcessEnv }): CicdVariables {
  const values: VariableMap = { ...o.envFile?.values };
  for (const arg of o.flags ?? []) {
    const [name, value] = variableFlag(arg, o.env);
    values[name] = value;
  }
  const masked = new Set(o.envFile?.masked ?? []);
  for (const name of Object.keys(values)) if (looksSecretName(name)) masked.add(name);
  return { values, masked: [...masked] };
}
