import dockerignoreModule from "@balena/dockerignore";
import { describe, expect, it } from "vitest";
import { compileDockerignore } from "../../src/builder/dockerignore.js";

// The reference: @balena/dockerignore, the matcher runner-kit used before its own compiled one.
const reference = (lines: string[]) => dockerignoreModule.default({ ignorecase: false }).add(lines);

const dirOf = (path: string) => (path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "");

function ours(lines: string[]) {
  const rules = compileDockerignore(lines);
  return (path: string) => rules.forDirectory(dirOf(path))(path);
}

/** A small deterministic generator (mulberry32), so a failure can be reproduced. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ["a", "b", "ab", "a.log", "b.tmp", "x.skip", "build", "keep.txt", "node_modules", ".git", "$d", "a b"];
const PATTERN_PARTS = ["a", "b", "*", "**", "?", "*.log", "**/*.tmp", "build", "keep.txt", "a*", "*b", ".git", "\\$d", "x.?kip", "node_modules", "a|b", "[ab]", "b+"];

describe(".dockerignore matching", () => {
  it("gives Docker's answers for the rules the build context relies on", () => {
    const ignores = ours(["*.log", "**/*.tmp", "node_modules", "build", "!build/keep.txt", "/docs/", "./x/../y"]);
    expect(ignores("app.log")).toBe(true);
    expect(ignores("src/app.log")).toBe(false); // "*.log" is anchored at the root
    expect(ignores("src/deep/a.tmp")).toBe(true);
    expect(ignores("node_modules/x/index.js")).toBe(true); // a parent directory matches
    expect(ignores("build/out.bin")).toBe(true);
    expect(ignores("build/keep.txt")).toBe(false); // the exception comes last
    expect(ignores("docs/a.md")).toBe(true); // leading and trailing slashes cleaned
    expect(ignores("y/z")).toBe(true); // patterns are cleaned like Go's filepath.Clean
    expect(ignores("src/main.c")).toBe(false);
  });

  it("agrees with @balena/dockerignore on random patterns and paths, exceptions included", () => {
    const next = random(18);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
    const paths: string[] = [];
    for (let i = 0; i < 400; i++) {
      const depth = 1 + Math.floor(next() * 4);
      paths.push(Array.from({ length: depth }, () => pick(NAMES)).join("/"));
    }
    let disagreements = 0;
    let ignoredSeen = 0;
    for (let round = 0; round < 300; round++) {
      const lines = Array.from({ length: 1 + Math.floor(next() * 4) }, () => {
        const pattern = Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(PATTERN_PARTS)).join("/");
        return (next() < 0.3 ? "!" : "") + (next() < 0.1 ? "/" : "") + pattern;
      });
      const expected = reference(lines);
      const actual = ours(lines);
      for (const path of paths) {
        const want = expected.ignores(path);
        if (want) ignoredSeen++;
        if (actual(path) !== want) disagreements++;
      }
    }
    expect(disagreements).toBe(0);
    // The generator exercises both answers, so agreement is not trivial.
    expect(ignoredSeen).toBeGreaterThan(10_000);
    expect(ignoredSeen).toBeLessThan(300 * 400 - 10_000);
  });

  it("skips an excluded directory only when no exception can re-include anything below it", () => {
    const next = random(1818);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
    const paths = new Set<string>();
    for (let i = 0; i < 600; i++) paths.add(Array.from({ length: 2 + Math.floor(next() * 3) }, () => pick(NAMES)).join("/"));
    const dirs = new Set([...paths].flatMap((p) => p.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/"))));
    let pruned = 0;
    let kept = 0;
    for (let round = 0; round < 300; round++) {
      const lines = Array.from({ length: 2 + Math.floor(next() * 3) }, (_, i) => {
        const pattern = Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(PATTERN_PARTS)).join("/");
        return (i > 0 && next() < 0.5 ? "!" : "") + pattern;
      });
      const rules = compileDockerignore(lines);
      const ignores = ours(lines);
      for (const dir of dirs) {
        if (!ignores(dir)) continue;
        if (rules.mayReinclude(dir)) {
          kept++;
          continue;
        }
        pruned++;
        // Nothing below a skipped directory may be one the full walk would have included.
        for (const path of paths) if (path.startsWith(`${dir}/`)) expect(ignores(path), `${lines.join(" ; ")} → ${path}`).toBe(true);
      }
    }
    expect(pruned).toBeGreaterThan(100);
    expect(kept).toBeGreaterThan(100);
    const rules = compileDockerignore(["node_modules", "build", "!build/keep.txt", "!README.md"]);
    expect(rules.mayReinclude("node_modules")).toBe(false);
    expect(rules.mayReinclude("build")).toBe(true);
    expect(compileDockerignore(["node_modules", "!**/keep"]).mayReinclude("node_modules")).toBe(true);
    expect(compileDockerignore(["**/*.tmp", "node_modules", "!README.md"]).mayReinclude("node_modules")).toBe(true);
  });

  it("says whether exceptions exist (an excluded directory must then be walked)", () => {
    expect(compileDockerignore(["build", "!build/keep.txt"]).hasExceptions).toBe(true);
    expect(compileDockerignore(["build", "# !not an exception"]).hasExceptions).toBe(false);
  });
});
