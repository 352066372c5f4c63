/**
 * A .gitlab-ci.yml document made plain before it is read, as GitLab reads it: aliases
 * (`*name`) replaced by the node they name, merge keys (`<<: *defaults`, or a list of
 * them) merged into their map — the map's own keys win, then the first source that has the
 * key — a key written twice keeps its last value, and `!reference [.job, key, …]` replaced
 * by the value it points to. References nest up to 10 levels, as in GitLab; deeper or
 * circular ones are errors at the tag. The document is changed in place; positions stay
 * those of the nodes as written (a merged key points into its anchor).
 */
import { isAlias, isMap, isScalar, isSeq, Pair, YAMLMap, YAMLSeq, type Document, type Node } from "yaml";
import type { Ctx } from "./yaml-nodes.js";

/** GitLab: "!reference tags can be nested up to 10 levels". */
export const MAX_REFERENCE_NESTING = 10;

export function plainGitlabYaml(ctx: Ctx, doc: Document): void {
  if (!isMap(doc.contents) && !isSeq(doc.contents)) return;
  const root = new Plainer(ctx, doc).plain(doc.contents);
  // References are resolved from each place they are used, so a chain is counted in full.
  doc.contents = new References(ctx, doc, root).expand(root, []);
}

/** Aliases, merge keys and duplicate keys, once per collection. */
class Plainer {
  private readonly done = new Set<Node>();

  constructor(
    private readonly ctx: Ctx,
    private readonly doc: Document,
  ) {}

  plain(n: unknown): Node {
    const node = (isAlias(n) ? n.resolve(this.doc) : n) as Node;
    if ((!isMap(node) && !isSeq(node)) || this.done.has(node)) return node;
    this.done.add(node);
    if (isSeq(node)) node.items = node.items.map((item) => this.plain(item));
    else node.items = this.mapItems(node);
    return node;
  }

  private mapItems(map: YAMLMap): Pair[] {
    const own = new Map<string, Pair>();
    const merged = new Map<string, Pair>();
    for (const pair of map.items) {
      if (isScalar(pair.key) && typeof pair.key.value === "symbol") {
        const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
        for (const source of sources) {
          const from = this.plain(source);
          if (!isMap(from)) this.ctx.fail(pair.value, "a merge key (<<) must name a map, or a list of maps, with an alias (<<: *name)");
          for (const p of from.items as Pair[]) if (!merged.has(keyOf(p))) merged.set(keyOf(p), p);
        }
        continue;
      }
      pair.value = this.plain(pair.value);
      own.delete(keyOf(pair)); // a key written twice: the last one wins, where it was written
      own.set(keyOf(pair), pair);
    }
    return [...own.values(), ...[...merged.entries()].filter(([k]) => !own.has(k)).map(([, p]) => p)];
  }
}

/** `!reference [a, b, …]` tags replaced by copies of what they point to; nodes without one are kept as they are. */
class References {
  constructor(
    private readonly ctx: Ctx,
    private readonly doc: Document,
    private readonly root: Node,
  ) {}

  /** `refs`: the !reference tags being followed to reach this node, outermost first. */
  expand(node: Node, refs: Node[]): Node {
    if (isSeq(node) && node.tag === "!reference") return this.expand(this.target(node, refs), [...refs, node]);
    if (isSeq(node)) {
      const items = node.items.map((item) => this.expand(item as Node, refs));
      return items.every((item, i) => item === node.items[i]) ? node : copy(new YAMLSeq(this.doc.schema), node, items);
    }
    if (isMap(node)) {
      const items = node.items.map((pair) => {
        const value = this.expand(pair.value as Node, refs);
        return value === pair.value ? pair : new Pair(pair.key, value);
      });
      return items.every((item, i) => item === node.items[i]) ? node : copy(new YAMLMap(this.doc.schema), node, items);
    }
    return node;
  }

  private target(tag: YAMLSeq, refs: Node[]): Node {
    const fail = (message: string, hint?: string): never => this.ctx.fail(tag, message, hint);
    if (refs.includes(tag)) fail("!reference tags form a cycle", "make each !reference point to a value that does not, through other !reference tags, point back to it");
    if (refs.length >= MAX_REFERENCE_NESTING) {
      fail(`!reference tags are nested more than ${MAX_REFERENCE_NESTING} levels deep`, "GitLab follows at most 10 nested !reference tags; point to the value itself");
    }
    const path = tag.items.map((key) => (isScalar(key) && (typeof key.value === "string" || typeof key.value === "number") ? String(key.value) : undefined));
    if (path.length === 0 || path.includes(undefined)) fail("!reference takes a list of keys, like !reference [.template, script]");
    let at: Node | undefined = this.root;
    for (const [i, key] of (path as string[]).entries()) {
      at = isMap(at) ? (at.get(key, true) as Node | undefined) : undefined;
      if (at === undefined) {
        fail(`!reference [${path.join(", ")}] points to nothing: there is no ${path.slice(0, i + 1).join(" → ")} in this file`,
          "include: is not followed by smoke; the referenced job or key must be in the same file");
      }
    }
    return at as Node;
  }
}

function copy<C extends YAMLSeq | YAMLMap>(fresh: C, from: YAMLSeq | YAMLMap, items: unknown[]): C {
  fresh.items = items as C["items"];
  fresh.range = from.range;
  if (from.tag !== "!reference" && from.tag !== undefined) fresh.tag = from.tag;
  return fresh;
}

function keyOf(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}
