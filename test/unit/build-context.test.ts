import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { computeContentHash } from "../../src/builder/content-hash.js";
import { listContextFiles } from "../../src/builder/context-files.js";
import { contextTar, INJECTED_DOCKERFILE } from "../../src/builder/context.js";
import { tarEntries } from "../support/tar.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rk-ctx-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(path: string, content = path): void {
  mkdirSync(join(dir, path, ".."), { recursive: true });
  writeFileSync(join(dir, path), content);
}

describe("build context", () => {
  it("applies .dockerignore with Docker's rules: root-anchored patterns, **, exceptions inside excluded dirs", async () => {
    write(".dockerignore", "# comment\n*.log\n**/*.tmp\nnode_modules\nbuild\n!build/keep.txt\n");
    write("app.log");
    write("src/app.log"); // "*.log" only matches at the root
    write("src/a.tmp");
    write("node_modules/x/index.js");
    write("build/out.bin");
    write("build/keep.txt");
    write("src/main.c");
    const { entries, excluded } = await listContextFiles(dir);
    expect(entries.map((e) => e.path)).toEqual([".dockerignore", "build/keep.txt", "src", "src/app.log", "src/main.c"]);
    expect(excluded).toBeGreaterThanOrEqual(4);
  });

  it("skips an excluded directory that no exception reaches into, and walks one that an exception does", async () => {
    write(".dockerignore", "node_modules\nbuild\n!build/keep.txt\n!README.md\n");
    write("node_modules/x/index.js");
    write("node_modules/y.js");
    write("build/out.bin");
    write("build/keep.txt");
    write("README.md");
    const { entries, excluded } = await listContextFiles(dir);
    expect(entries.map((e) => e.path)).toEqual([".dockerignore", "README.md", "build/keep.txt"]);
    // node_modules counts once (skipped whole); build is walked: itself and out.bin.
    expect(excluded).toBe(3);
  });

  it("streams the listed files and the injected Dockerfile, owners normalised to root", async () => {
    write("a.txt", "alpha");
    write("sub/b.txt", "beta");
    symlinkSync("a.txt", join(dir, "link"));
    write(INJECTED_DOCKERFILE, "a stale file of the reserved name");
    const { entries } = await listContextFiles(dir, [INJECTED_DOCKERFILE]);
    const files = await tarEntries(await contextTar(dir, entries, "FROM busybox\n"));
    expect(files).toEqual({
      "a.txt": "file:0:alpha",
      link: "symlink:0:",
      sub: "directory:0:",
      "sub/b.txt": "file:0:beta",
      [INJECTED_DOCKERFILE]: "file:0:FROM busybox\n",
    });
  });

  it("hashes content, modes and args, not modification times", async () => {
    write("a.sh", "echo hi");
    const hash = async (args: Record<string, string> = {}, dockerfile = "FROM busybox\n") =>
      computeContentHash({ dockerfile, buildArgs: args, contextDir: dir, entries: (await listContextFiles(dir)).entries });
    const first = await hash();
    expect(first).toMatch(/^sha256:[0-9a-f]{64}$/);
    writeFileSync(join(dir, "a.sh"), "echo hi"); // same content, new mtime
    expect(await hash()).toBe(first);
    expect(await hash({ A: "1" })).not.toBe(first);
    expect(await hash({}, "FROM busybox:1\n")).not.toBe(first);
    chmodSync(join(dir, "a.sh"), 0o755);
    const executable = await hash();
    expect(executable).not.toBe(first);
    writeFileSync(join(dir, "a.sh"), "echo ho");
    expect(await hash()).not.toBe(executable);
    write(".dockerignore", "ignored.txt\n");
    const withIgnore = await hash();
    write("ignored.txt", "anything");
    expect(await hash()).toBe(withIgnore);
  });
});
