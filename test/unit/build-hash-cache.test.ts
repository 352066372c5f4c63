import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { computeContentHash } from "../../src/builder/content-hash.js";
import { listContextFiles } from "../../src/builder/context-files.js";
import { HashCache, parseHashCache, runnerKitCacheDir } from "../../src/builder/hash-cache.js";

/**
 * The file hash cache (builder/hash-cache.ts) with real files: a file whose stat key did not
 * change is not read again, and every change a build must see is still seen — the content
 * hash with the cache is always the hash without it.
 */
const FIXED = new Date("2024-01-02T03:04:05Z");

describe("file hash cache", () => {
  let root: string;
  let project: string;
  let cacheDir: string;
  let ctx: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "rk-hash-cache-"));
    project = join(root, "project");
    cacheDir = join(root, "cache");
    ctx = join(project, "ctx");
    mkdirSync(join(ctx, "sub"), { recursive: true });
    writeFileSync(join(ctx, "a.txt"), "alpha\n");
    writeFileSync(join(ctx, "sub", "b.txt"), "bravo\n");
    // Whole seconds: an mtime put back with utimes is then exactly the one before.
    for (const f of ["a.txt", "sub/b.txt"]) utimesSync(join(ctx, f), FIXED, FIXED);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** The context's content hash, read through a cache of `racyMs` (a new HashCache: a new run), or without one. */
  const hashOf = async (options: { cache?: boolean; racyMs?: number } = {}): Promise<string> => {
    const { entries } = await listContextFiles(ctx);
    const cache = options.cache === false ? undefined : new HashCache(cacheDir, project, { racyMs: options.racyMs ?? 0 });
    const hash = await computeContentHash({ dockerfile: "FROM scratch\n", buildArgs: {}, contextDir: ctx, entries, ...(cache ? { fileDigests: await cache.for(ctx) } : {}) });
    await cache?.save();
    return hash;
  };
  const cacheFiles = () => readdirSync(join(cacheDir, "file-hashes")).map((n) => join(cacheDir, "file-hashes", n));
  const remembered = () => parseHashCache(readFileSync(cacheFiles()[0]!, "utf8"));
  /** Rewrite a file in place with same-size content and its old mtime, until its ctime has moved (coarse clocks). */
  const rewriteKeepingSizeAndMtime = (path: string, text: string) => {
    const before = lstatSync(path, { bigint: true });
    do {
      writeFileSync(path, text);
      utimesSync(path, before.atime, before.mtime);
    } while (lstatSync(path, { bigint: true }).ctimeNs === before.ctimeNs);
    const after = lstatSync(path, { bigint: true });
    expect([after.size, after.mtimeNs, after.ino]).toEqual([before.size, before.mtimeNs, before.ino]);
  };

  it("remembers each file's digest and serves it while the file's stat key is unchanged", async () => {
    const truth = await hashOf({ cache: false });
    expect(await hashOf()).toBe(truth);
    const known = remembered();
    expect([...known.keys()].sort()).toEqual([join(ctx, "a.txt"), join(ctx, "sub", "b.txt")]);
    // Proof that the second run reads the digest from the cache, not the file: a forged
    // digest under the file's real key changes the hash.
    const file = cacheFiles()[0]!;
    writeFileSync(file, readFileSync(file, "utf8").replace(known.get(join(ctx, "a.txt"))!.digest, "0".repeat(64)));
    expect(await hashOf()).not.toBe(truth);
  });

  it("a file changed in place to the same size with its mtime put back is read again (its ctime moved)", async () => {
    const before = await hashOf();
    rewriteKeepingSizeAndMtime(join(ctx, "a.txt"), "ALPHA\n");
    const after = await hashOf();
    expect(after).not.toBe(before);
    expect(after).toBe(await hashOf({ cache: false }));
  });

  it("a file replaced by a rename, same size and mtime, is read again (its inode changed)", async () => {
    const before = await hashOf();
    const old = statSync(join(ctx, "a.txt"));
    writeFileSync(join(ctx, "new.tmp"), "ALPHA\n");
    utimesSync(join(ctx, "new.tmp"), old.atime, old.mtime);
    expect(statSync(join(ctx, "new.tmp")).mtimeMs).toBe(old.mtimeMs);
    renameSync(join(ctx, "new.tmp"), join(ctx, "a.txt"));
    const after = await hashOf();
    expect(after).not.toBe(before);
    expect(after).toBe(await hashOf({ cache: false }));
  });

  it("a corrupt or truncated cache file is ignored and written anew", async () => {
    const truth = await hashOf({ cache: false });
    await hashOf();
    const file = cacheFiles()[0]!;
    const good = readFileSync(file, "utf8");
    for (const bad of ["\u0000\u0001garbage", good.slice(0, good.length - 20), good.replace(/[0-9a-f]{64}/, "xyz")]) {
      writeFileSync(file, bad);
      expect(parseHashCache(bad).size).toBe(0);
      expect(await hashOf()).toBe(truth);
      expect(remembered().size).toBe(2);
    }
  });

  it("does not remember a file changed within the racy window before it was read", async () => {
    await hashOf({ racyMs: 60_000 });
    expect(existsSync(cacheDir)).toBe(false);
  });

  it("drops files gone from a walked context and keeps the entries of contexts not walked", async () => {
    const other = join(project, "other");
    mkdirSync(other);
    writeFileSync(join(other, "c.txt"), "charlie\n");
    const both = new HashCache(cacheDir, project, { racyMs: 0 });
    for (const dir of [ctx, other]) {
      await computeContentHash({ dockerfile: "", buildArgs: {}, contextDir: dir, entries: (await listContextFiles(dir)).entries, fileDigests: await both.for(dir) });
    }
    await both.save();
    rmSync(join(ctx, "sub"), { recursive: true });
    await hashOf();
    expect([...remembered().keys()].sort()).toEqual([join(ctx, "a.txt"), join(other, "c.txt")]);
  });

  it("is not used when the cache directory lies inside the project (it could be part of a context)", async () => {
    const inside = new HashCache(join(project, ".cache", "runner-kit"), project, { racyMs: 0 });
    const fileDigests = await inside.for(ctx);
    await computeContentHash({ dockerfile: "", buildArgs: {}, contextDir: ctx, entries: (await listContextFiles(ctx)).entries, fileDigests });
    await inside.save();
    expect(readdirSync(project)).toEqual(["ctx"]);
  });

  it("reads every path the writer can write, and refuses a malformed line", () => {
    const digest = "ab".repeat(32);
    const paths = ["/p/plain.txt", '/p/quote".txt', "/p/back\\slash", "/p/tab\tnew\nline", "/p/ünï cødé ✓"];
    const text = `runner-kit file hashes v1\n${paths.map((p, i) => `1:${i}:3:4:5 ${digest} ${JSON.stringify(p)}`).join("\n")}\n`;
    const known = parseHashCache(text);
    expect([...known.keys()]).toEqual(paths);
    expect(known.get(paths[1]!)).toEqual({ key: "1:1:3:4:5", digest });
    const line = `1:2:3:4:5 ${digest} "/p/x"`;
    for (const bad of [`${line}\n\n`, `1:2:3:4 x ${digest} "/p/x"\n`, `${line.replace('"/p/x"', '"/p/x')}\n`, `${line.replace('"/p/x"', '"/p/"x"')}\n`, `${line.replace('"/p/x"', '"/p/\tx"')}\n`, `${line}`]) {
      expect(parseHashCache(`runner-kit file hashes v1\n${bad}`).size).toBe(0);
    }
    expect(parseHashCache(`runner-kit file hashes v1\n${line}\n`).size).toBe(1);
  });

  it("lives in $XDG_CACHE_HOME/runner-kit, else $HOME/.cache/runner-kit", () => {
    expect(runnerKitCacheDir({ XDG_CACHE_HOME: "/x/cache", HOME: "/home/u" })).toBe("/x/cache/runner-kit");
    expect(runnerKitCacheDir({ HOME: "/home/u" })).toBe("/home/u/.cache/runner-kit");
  });
});
