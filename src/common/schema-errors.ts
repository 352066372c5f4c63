import type { z } from "zod";
import { configError, formatWhere, type RunnerKitError, type SourceLocation } from "./errors.js";
import { didYouMean, listNames, nearest } from "./nearest.js";
import { knownKeysAt } from "./schema-keys.js";
import { formatKeyPath, type KeyPath, type YamlSource } from "./yaml-source.js";

/** One schema problem, placed in the file. */
export interface SchemaProblem {
  where: SourceLocation;
  path: KeyPath;
  message: string;
  /** For an unknown key: the valid key it probably meant. */
  meant?: string;
  /** For a missing key: its name. */
  missing?: string;
}

type Issue = z.core.$ZodIssue;

/** Turn zod issues into problems with file:line:column, key path and nearest valid key. */
export function schemaProblems(source: YamlSource, schema: z.ZodType, issues: readonly Issue[]): SchemaProblem[] {
  const all = issues.flatMap((issue) => describeIssue(source, schema, issue, []));
  // A missing key that a typo next to it explains ("imags:" → images missing) is one problem, not two.
  const parentOf = (p: SchemaProblem) => formatKeyPath(p.path.slice(0, -1));
  const meant = new Set(all.filter((p) => p.meant).map((p) => `${parentOf(p)}\0${p.meant}`));
  const problems = all.filter((p) => !(p.missing && meant.has(`${parentOf(p)}\0${p.missing}`)));
  return problems.sort((a, b) => (a.where.line ?? 0) - (b.where.line ?? 0) || (a.where.column ?? 0) - (b.where.column ?? 0));
}

/** One paragraph: the first problem in full, then the others briefly. */
export function schemaError(source: YamlSource, problems: readonly SchemaProblem[]): RunnerKitError {
  const [first, ...rest] = problems;
  if (!first) return configError("invalid project file", { where: source.file });
  let message = first.message;
  if (rest.length > 0) {
    const more = rest.slice(0, 5).map((p) => `${formatWhere(p.where)}: ${p.message}`);
    message += `; also ${more.join("; ")}${rest.length > 5 ? `; and ${rest.length - 5} more` : ""}`;
  }
  return configError(message, {
    where: first.where,
    hint: "fix runner-kit.yaml (see the project file section of the README) and run again",
    details: { problems: problems.map((p) => ({ ...p.where, path: formatKeyPath(p.path), message: p.message })) },
  });
}

function describeIssue(source: YamlSource, schema: z.ZodType, issue: Issue, prefix: KeyPath): SchemaProblem[] {
  const path: KeyPath = [...prefix, ...(issue.path as (string | number)[])];
  const at = formatKeyPath(path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeysAt(schema, path);
      return issue.keys.map((key) => {
        const suggestion = didYouMean(key, known);
        const meant = nearest(key, known);
        const valid = suggestion === "" && known.length > 0 ? `; valid keys here: ${listNames(known)}` : "";
        return {
          where: source.locateKey([...path, key]),
          path: [...path, key],
          message: `unknown key "${key}" in ${at}${suggestion}${valid}`,
          ...(meant ? { meant } : {}),
        };
      });
    }
    case "invalid_type": {
      const value = valueAt(source.data, path);
      if (value === undefined && path.length > 0) {
        const parent = path.slice(0, -1);
        return [{ where: source.locate(parent), path, message: `missing required key "${String(path[path.length - 1])}" in ${formatKeyPath(parent)}`, missing: String(path[path.length - 1]) }];
      }
      return [{ where: source.locate(path), path, message: `${at}: expected ${article(issue.expected)}, got ${describe(value)}` }];
    }
    case "invalid_key":
      return [{ where: source.locateKey(path), path, message: `${at}: invalid key "${String(path[path.length - 1])}": ${issue.issues.map((i) => i.message).join("; ")}` }];
    case "invalid_union": {
      const matching = issue.errors.filter((branch) => !branch.some((i) => i.code === "invalid_type" && i.path.length === 0));
      if (matching.length === 1) return matching[0]!.flatMap((i) => describeIssue(source, schema, i, path));
      return [{ where: source.locate(path), path, message: `${at}: ${issue.message}` }];
    }
    default:
      return [{ where: source.locate(path), path, message: `${at}: ${tidy(issue.message)}` }];
  }
}

function valueAt(data: unknown, path: KeyPath): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

function article(expected: string): string {
  const word = expected === "record" || expected === "object" ? "mapping" : expected === "array" ? "list" : expected;
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

function describe(value: unknown): string {
  if (value === null) return "null (an empty value)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${article(typeof value)} (${JSON.stringify(value)})`;
}

function tidy(message: string): string {
  return message.replace(/^Invalid input: /, "").replace(/^Too small: /, "too small: ").replace(/^Too big: /, "too big: ");
}
