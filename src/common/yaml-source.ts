import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { configError, type SourceLocation } from "./errors.js";

export type KeyPath = readonly (string | number)[];

/** A parsed YAML file that remembers where every key and value came from. */
export interface YamlSource {
  file: string;
  data: unknown;
  /** Location of the value at path (or of its nearest existing ancestor). */
  locate(path: KeyPath): SourceLocation;
  /** Location of the key of the entry at path (falls back to its value). */
  locateKey(path: KeyPath): SourceLocation;
}

/** Parse YAML text; syntax errors (including duplicate keys) are config errors at their position. */
export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  throwYamlSyntaxError(doc, lineCounter, file);
  const at = (offset: number): SourceLocation => {
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, column: pos.col };
  };
  return {
    file,
    data: doc.toJS({ maxAliasCount: 100 }) as unknown,
    locate: (path) => {
      const node = deepestNode(doc, path);
      return node?.range ? at(node.range[0]) : { file, line: 1, column: 1 };
    },
    locateKey: (path) => {
      const key = keyNode(doc, path);
      if (key?.range) return at(key.range[0]);
      const node = deepestNode(doc, path);
      return node?.range ? at(node.range[0]) : { file, line: 1, column: 1 };
    },
  };
}

/**
 * The document's first syntax error (bad indentation, unclosed bracket, a duplicate key when
 * the parser was asked for unique keys) as a configuration error at its line and column.
 * `doc` must have been parsed with `lineCounter` and `prettyErrors: false`.
 */
export function throwYamlSyntaxError(doc: Document, lineCounter: LineCounter, file: string): void {
  const first = doc.errors[0];
  if (!first) return;
  const pos = lineCounter.linePos(first.pos[0]);
  const what = first.message.split("\n")[0]!.replace(/ at line \d+, column \d+.*$/, "");
  throw configError(`invalid YAML: ${what}`, {
    where: { file, line: pos.line, column: pos.col },
    hint: "fix the syntax (indentation, quoting, duplicate keys) and run again",
  });
}

function child(node: unknown, segment: string | number): unknown {
  if (isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(segment));
    return pair?.value;
  }
  if (isSeq(node) && typeof segment === "number") return node.items[segment];
  return undefined;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === "string" ? key : undefined;
}

/** The node at path, or the deepest ancestor that exists. */
function deepestNode(doc: Document, path: KeyPath): Node | undefined {
  let node: unknown = doc.contents;
  let found = isNode(node) ? node : undefined;
  for (const segment of path) {
    node = child(node, segment);
    if (!isNode(node)) break;
    found = node;
  }
  return found;
}

function keyNode(doc: Document, path: KeyPath): Node | undefined {
  if (path.length === 0) return undefined;
  let parent: unknown = doc.contents;
  for (const segment of path.slice(0, -1)) parent = child(parent, segment);
  if (!isMap(parent)) return undefined;
  const last = String(path[path.length - 1]);
  const pair = parent.items.find((p) => isPair(p) && keyText(p.key) === last);
  return isNode(pair?.key) ? pair.key : undefined;
}

/** `images.runner-aws.tags[1]` */
export function formatKeyPath(path: KeyPath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += text === "" ? segment : `.${segment}`;
  }
  return text === "" ? "(top level)" : text;
}
