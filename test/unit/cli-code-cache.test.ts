import { describe, expect, it } from "vitest";
import { codeCachePath, commandOf, commandsToRemember, staleCacheFiles } from "../../src/cli/code-cache.js";

describe("the bin's code cache", () => {
  it("names the command a run names, flags before it or not", () => {
    expect(commandOf(["build", "--force"])).toBe("build");
    expect(commandOf(["--debug", "render"])).toBe("render");
    expect(commandOf(["--version"])).toBe("");
  });

  it("learns once from each command, and from scratch when there was no usable cache", () => {
    expect(commandsToRemember([], "build", false)).toEqual(["build"]);
    expect(commandsToRemember(["render", "build"], "build", false)).toEqual(["build"]);
    expect(commandsToRemember(["render"], "build", true)).toEqual(["render", "build"]);
    expect(commandsToRemember(["render", "build"], "build", true)).toBeUndefined();
  });

  it("keys the cache file by the bundle's identity and the V8 flags", () => {
    const stat = { size: 10, mtimeMs: 1 };
    const one = codeCachePath("/c", "/b/cli.cjs", stat, "--x");
    expect(one).toMatch(/^\/c\/code-cache\/cli-[0-9a-f]{32}\.bin$/);
    expect(codeCachePath("/c", "/b/cli.cjs", stat, "--x")).toBe(one);
    expect(codeCachePath("/c", "/b/cli.cjs", { ...stat, mtimeMs: 2 }, "--x")).not.toBe(one);
    expect(codeCachePath("/c", "/b/cli.cjs", { ...stat, size: 11 }, "--x")).not.toBe(one);
    expect(codeCachePath("/c", "/a/cli.cjs", stat, "--x")).not.toBe(one);
    expect(codeCachePath("/c", "/b/cli.cjs", stat, "--y")).not.toBe(one);
  });

  it("keeps the most recently written caches and removes the rest with their lists", () => {
    const files = [
      { name: "cli-aa.bin", mtimeMs: 3 },
      { name: "cli-aa.json", mtimeMs: 3 },
      { name: "cli-bb.bin", mtimeMs: 1 },
      { name: "cli-bb.json", mtimeMs: 1 },
      { name: "cli-cc.bin", mtimeMs: 2 },
      { name: ".cli-cc.bin.123@host.abcdefabcdef.tmp", mtimeMs: 0 },
    ];
    expect(staleCacheFiles(files, 2)).toEqual(["cli-bb.bin", "cli-bb.json"]);
    expect(staleCacheFiles(files, 3)).toEqual([]);
  });
});
