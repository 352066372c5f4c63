import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

const src = new URL("../../src/", import.meta.url).pathname;

/** The room order of src/README.md's table: a room may import only rooms above it. */
function roomOrder(): string[] {
  const readme = readFileSync(join(src, "README.md"), "utf8");
  return [...readme.matchAll(/^\| \d+ \| `([a-z-]+)\/` \|/gm)].map((m) => m[1]!);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

const roomOf = (file: string): string => {
  const parts = relative(src, file).split("/");
  return parts.length > 1 ? parts[0]! : parts[0]!.replace(/\.ts$/, "");
};

/** Every relative module a file names: static imports, re-exports and dynamic import(). */
export function importedPaths(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]!);
  return specs.map((spec) => normalize(join(dirname(file), spec)));
}

/** One cycle (first file repeated at its end) through each back edge a depth-first walk of `graph` meets. */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") cycles.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next) && graph.has(next)) visit(next);
    }
    path.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

describe("rooms follow the data flow (src/README.md)", () => {
  const order = roomOrder();

  it("the README lists every room of src/", () => {
    const rooms = readdirSync(src).filter((name) => statSync(join(src, name)).isDirectory());
    expect(order.length).toBeGreaterThan(10);
    expect([...rooms].sort()).toEqual([...order].sort());
  });

  it("no room imports a room later in the flow, and only index.ts sits above cli/", () => {
    const wrong: string[] = [];
    for (const file of sourceFiles(src)) {
      const from = roomOf(file);
      if (from === "index") continue;
      for (const target of importedPaths(file, readFileSync(file, "utf8"))) {
        const to = roomOf(target);
        if (to === from) continue;
        if (to === "index" || order.indexOf(to) > order.indexOf(from)) wrong.push(`${relative(src, file)} imports ${relative(src, target)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("index.ts does not export the CLI", () => {
    const targets = importedPaths(join(src, "index.ts"), readFileSync(join(src, "index.ts"), "utf8"));
    expect(targets.filter((t) => roomOf(t) === "cli")).toEqual([]);
  });

  it("no file imports itself back through others (a shared piece moves down into a file of its own)", () => {
    const graph = new Map(sourceFiles(src).map((file) => [file.replace(/\.ts$/, ".js"), importedPaths(file, readFileSync(file, "utf8"))]));
    expect(importCycles(graph).map((cycle) => cycle.map((f) => relative(src, f)).join(" -> "))).toEqual([]);
  });

  it("the cycle finder finds a cycle through three files and none in a chain", () => {
    expect(importCycles(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]))).toEqual([["a", "b", "c", "a"]]);
    expect(importCycles(new Map([["a", ["b"]], ["b", ["c"]], ["c", []]]))).toEqual([]);
  });

  it("the import reader sees static, re-exported and dynamic imports", () => {
    const file = join(src, "smoke", "x.ts");
    const text = 'import a from "../engine/a.js";\nexport { b } from "./b.js";\nconst c = await import("../bake/c.js");\n';
    expect(importedPaths(file, text).map((p) => relative(src, p))).toEqual(["engine/a.js", "smoke/b.js", "bake/c.js"]);
  });
});
