import { isAlias, isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from "yaml";
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

/** The node under `segment`, through aliases and merge keys (`<<: *defaults`), as the data sees it. */
function child(doc: Document, node: unknown, segment: string | number): unknown {
  const value = plainNode(doc, node);
  if (isSeq(value) && typeof segment === "number") return plainNode(doc, value.items[segment]);
  return plainNode(doc, findPair(doc, value, String(segment))?.value);
}

/** The entry `key` of a map: its own, else the first map it merges that has one. */
function findPair(doc: Document, map: unknown, key: string): Pair | undefined {
  if (!isMap(map)) return undefined;
  const own = map.items.find((p) => isPair(p) && keyText(p.key) === key);
  if (own) return own;
  for (const merge of map.items.filter((p) => isScalar(p.key) && typeof p.key.value === "symbol")) {
    for (const source of isSeq(merge.value) ? merge.value.items : [merge.value]) {
      const found = findPair(doc, plainNode(doc, source), key);
      if (found) return found;
    }
  }
  return undefined;
}

function plainNode(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
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
    node = child(doc, node, segment);
    if (!isNode(node)) break;
    found = node;
  }
  return found;
}

function keyNode(doc: Document, path: KeyPath): Node | undefined {
  if (path.length === 0) return undefined;
  let parent: unknown = doc.contents;
  for (const segment of path.slice(0, -1)) parent = child(doc, parent, segment);
  const key = findPair(doc, parent, String(path[path.length - 1]))?.key;
  return isNode(key) ? key : undefined;
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
