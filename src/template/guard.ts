import type Handlebars from "handlebars";
import { TemplateProblem } from "./template-problem.js";

type Node = hbs.AST.Node;
type Expr = hbs.AST.Expression;
type Path = hbs.AST.PathExpression;

export const OUT_HELPER = "__rkOut";
export const REQUIRE_HELPER = "__rkRequire";

/**
 * Rewrite a parsed template so that every `{{…}}` output goes through the output guard
 * and every block parameter must exist:
 *
 *   {{values.x}}          →  {{__rkOut values.x name="values.x" line=… column=…}}
 *   {{quote values.x}}    →  {{__rkOut (quote values.x) name="quote" …}}
 *   {{#each values.list}} →  {{#each (__rkRequire values.list name="values.list" …)}}
 *
 * The guard refuses a missing value (naming it), a list or mapping printed as text, and
 * any text with a newline, carriage return or NUL — a value can never start a new
 * Dockerfile instruction. Helpers that build multi-line blocks return SafeString after
 * checking every item themselves.
 */
export function guardTemplate(program: hbs.AST.Program, helperNames: ReadonlySet<string>, partialNames: Set<string>): hbs.AST.Program {
  const isHelper = (path: Expr): boolean => {
    const p = path as Path;
    return p.type === "PathExpression" && !p.data && p.depth === 0 && p.parts.length === 1 && helperNames.has(p.parts[0]!);
  };

  const visitExpr = (expr: Expr): Expr => {
    if (expr.type === "SubExpression") {
      const sub = expr as hbs.AST.SubExpression;
      return { ...sub, params: sub.params.map(visitParam), hash: visitHash(sub.hash) } as Expr;
    }
    return expr;
  };
  const visitParam = (expr: Expr): Expr => requireParam(visitExpr(expr), isHelper);
  const visitHash = (hash: hbs.AST.Hash | undefined): hbs.AST.Hash =>
    (hash ? { ...hash, pairs: hash.pairs.map((p) => ({ ...p, value: visitExpr(p.value) })) } : hash) as hbs.AST.Hash;

  const visit = (node: Node): Node => {
    switch (node.type) {
      case "MustacheStatement": {
        const m = node as hbs.AST.MustacheStatement;
        const path = m.path as Expr;
        const callsHelper = isHelper(path) || m.params.length > 0 || (m.hash?.pairs.length ?? 0) > 0;
        if (callsHelper) {
          const inner = { type: "SubExpression", path, params: m.params.map(visitParam), hash: visitHash(m.hash), loc: m.loc } as hbs.AST.SubExpression;
          return { ...m, path: pathNode(OUT_HELPER, m.loc), params: [inner], hash: where(nameOf(path), m.loc) } as Node;
        }
        const [head, rest] = splitPath(path);
        return { ...m, path: pathNode(OUT_HELPER, m.loc), params: [head], hash: where(nameOf(path), m.loc, rest) } as Node;
      }
      case "BlockStatement": {
        const b = node as hbs.AST.BlockStatement;
        return {
          ...b,
          params: b.params.map(visitParam),
          hash: visitHash(b.hash),
          program: b.program ? visitProgram(b.program) : b.program,
          inverse: b.inverse ? visitProgram(b.inverse) : b.inverse,
        } as Node;
      }
      case "PartialStatement":
      case "PartialBlockStatement": {
        const p = node as hbs.AST.PartialBlockStatement;
        const name = p.name as Path;
        if (name.type === "PathExpression" && !name.data) partialNames.add(name.original);
        return (p.program ? { ...p, program: visitProgram(p.program) } : p) as Node;
      }
      default:
        return node;
    }
  };
  const visitProgram = (program: hbs.AST.Program): hbs.AST.Program => ({ ...program, body: program.body.map(visit) as hbs.AST.Statement[] });
  return visitProgram(program);
}

function requireParam(expr: Expr, isHelper: (e: Expr) => boolean): Expr {
  const p = expr as Path;
  if (p.type !== "PathExpression" || p.data || isHelper(expr)) return expr;
  const [head, rest] = splitPath(p);
  return { type: "SubExpression", path: pathNode(REQUIRE_HELPER, expr.loc), params: [head], hash: where(p.original, expr.loc, rest), loc: expr.loc } as hbs.AST.SubExpression;
}

/**
 * `values.a.b` → the head `values` and the rest "a.b", which the guard walks itself so
 * that a missing mapping on the way is reported by name, with the template position.
 */
function splitPath(expr: Expr): [Expr, string] {
  const p = expr as Path;
  if (p.type !== "PathExpression" || p.data || p.depth !== 0 || p.parts.length < 2 || /^(?:this\b|\.)/.test(p.original)) return [expr, ""];
  return [{ ...p, parts: [p.parts[0]!], original: p.parts[0]! } as Path, p.parts.slice(1).join(".")];
}

/** Follow the rest of a split path; undefined when a step is missing (own properties only). */
function walk(value: unknown, rest: string): unknown {
  if (rest === "") return value;
  let current = value;
  for (const segment of rest.split(".")) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function nameOf(expr: Expr): string {
  const e = expr as { original?: unknown };
  return typeof e.original === "string" ? e.original : String(e.original ?? "value");
}

function pathNode(name: string, loc: hbs.AST.SourceLocation): Path {
  return { type: "PathExpression", data: false, depth: 0, parts: [name], original: name, loc } as Path;
}

function where(name: string, loc: hbs.AST.SourceLocation, rest = ""): hbs.AST.Hash {
  const lit = (value: string | number) =>
    (typeof value === "string"
      ? { type: "StringLiteral", value, original: value, loc }
      : { type: "NumberLiteral", value, original: value, loc }) as unknown as Expr;
  const pair = (key: string, value: Expr) => ({ type: "HashPair", key, value, loc }) as hbs.AST.HashPair;
  return {
    type: "Hash",
    pairs: [pair("name", lit(name)), pair("rest", lit(rest)), pair("line", lit(loc.start.line)), pair("column", lit(loc.start.column + 1))],
    loc,
  } as hbs.AST.Hash;
}

interface WhereOptions {
  hash: { name: string; rest: string; line: number; column: number };
}

/** The output guard (see guardTemplate). */
export function makeOutputGuard(SafeString: typeof Handlebars.SafeString) {
  return function guard(head: unknown, options: WhereOptions): string {
    const { name, line, column } = options.hash;
    const value = walk(head, options.hash.rest);
    if (value instanceof SafeString) return value.toString();
    if (value === undefined) throw new TemplateProblem(`missing value "${name}"`, line, column);
    if (value === null) return "";
    if (Array.isArray(value)) throw new TemplateProblem(`"${name}" is a list; print it with {{join ${name} " "}} or {{aptPackages ${name}}}`, line, column);
    if (typeof value === "object") throw new TemplateProblem(`"${name}" is a mapping; print it with {{json ${name}}} or a helper`, line, column);
    const text = String(value);
    const bad = /[\n\r\0]/.exec(text);
    if (bad) {
      const what = bad[0] === "\0" ? "a NUL character" : "a line break";
      throw new TemplateProblem(`the value of "${name}" contains ${what}, which would inject a Dockerfile instruction; values printed into a Dockerfile must be one line`, line, column);
    }
    if (text.endsWith("\\")) {
      throw new TemplateProblem(`the value of "${name}" ends with a backslash, which would continue the Dockerfile instruction onto the next line`, line, column);
    }
    return text;
  };
}

/** Block parameters must exist (null is a value: use it for "off"). */
export function requireValue(head: unknown, options: WhereOptions): unknown {
  const value = walk(head, options.hash.rest);
  if (value === undefined) {
    const { name, line, column } = options.hash;
    throw new TemplateProblem(`missing value "${name}"`, line, column);
  }
  return value;
}
