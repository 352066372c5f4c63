/**
 * Reading a .gitlab-ci.yml node by node with positions: every error names the file, line
 * and column of the node it is about.
 */
import { isMap, isScalar, isSeq, LineCounter, type Document, type Node } from "yaml";
import { configError } from "../../common/errors.js";

export class Ctx {
  readonly lines = new LineCounter();
  doc!: Document;
  constructor(readonly file: string) {}

  where(node: unknown): { file: string; line?: number; column?: number } {
    const range = (node as Node | undefined)?.range;
    if (!range) return { file: this.file };
    const pos = this.lines.linePos(range[0]);
    return { file: this.file, line: pos.line, column: pos.col };
  }

  fail(node: unknown, message: string, hint?: string): never {
    throw configError(message, { where: this.where(node), hint });
  }
}

export function node(map: unknown, key: string): Node | undefined {
  if (!isMap(map)) return undefined;
  return map.get(key, true) as Node | undefined;
}

export function stringOf(ctx: Ctx, n: Node | undefined, what: string): string {
  if (isScalar(n) && (typeof n.value === "string" || typeof n.value === "number" || typeof n.value === "boolean")) return String(n.value);
  ctx.fail(n, `${what} must be a string`);
}

export function stringList(ctx: Ctx, n: Node | undefined, what: string): string[] {
  if (isScalar(n)) return [stringOf(ctx, n, what)];
  if (!isSeq(n)) ctx.fail(n, `${what} must be a list of strings`);
  return n.items.map((item) => stringOf(ctx, item as Node, `each entry of ${what}`));
}

/** GitLab's own wording for a script that is not text (ci/config/entry/commands.rb). */
const SCRIPT_SHAPE = "config should be a string or a nested array of strings up to 10 levels deep";

export function yamlKind(n: Node | undefined): string {
  if (isMap(n)) return "a mapping";
  if (isSeq(n)) return "a list nested more than 10 levels deep";
  const value = isScalar(n) ? n.value : n;
  if (value === null || value === undefined) return "empty (null)";
  return `a ${typeof value === "object" ? "value that is not text" : typeof value} (${String(value)})`;
}

/**
 * before_script / script / after_script: a string or a list of strings, nested lists
 * flattened (up to 10 levels, as GitLab). A number, boolean, null or mapping anywhere in it
 * is refused, as GitLab refuses the pipeline: it would otherwise run as the command "42".
 */
export function scriptLines(ctx: Ctx, n: Node | undefined, what: string, depth = 0): string[] {
  if (depth === 0 && (n === undefined || (isScalar(n) && n.value === null))) return [];
  if (isScalar(n) && typeof n.value === "string") return [n.value];
  if (isSeq(n) && depth < 10) return n.items.flatMap((item) => scriptLines(ctx, item as Node, what, depth + 1));
  const at = depth === 0 ? `${what} is` : `an entry of ${what} is`;
  ctx.fail(n, `${at} ${yamlKind(n)}: ${what} ${SCRIPT_SHAPE}`, 'quote a command that YAML reads as a number or boolean (- "42"), and write a command containing ": " in quotes so it is not read as a mapping');
}

export function optionalList(ctx: Ctx, n: Node | undefined, what: string): string[] | undefined {
  return n === undefined ? undefined : stringList(ctx, n, what);
}

export function checkKeys(ctx: Ctx, map: unknown, allowed: string[], what: string): void {
  if (!isMap(map)) return;
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (!allowed.includes(key)) ctx.fail(pair.key, `unknown key "${key}" in ${what}`, `use one of ${allowed.join(", ")}`);
  }
}
