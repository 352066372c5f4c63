/**
 * The bin's CommonJS bundle (dist/cli/cli.cjs) run with a V8 code cache: V8 compiling the
 * bundle's code is most of a no-op build's start-up, and Node 20 keeps no code cache for
 * ES modules. The cache is V8's own serialized code for this bundle on this Node: written
 * after a run into `$XDG_CACHE_HOME/runner-kit/code-cache/` (mode 0600, atomically), read by
 * the next, and written again after the first run of each other command. A cache V8 rejects (another V8, other flags, a damaged file) costs a plain
 * compile and is rewritten; a cache that cannot be read or written is ignored.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Script } from "node:vm";
import { runnerKitCacheDir } from "../builder/hash-cache.js";
import { writeFileAtomic } from "../common/atomic-write.js";
import { beyondNewest, keepNewest } from "../common/keep-newest.js";

/**
 * The cache file for `bundle` on this Node: the name changes with the bundle's identity
 * (path, size, mtime) and with V8's version, architecture and flags, so a stale cache is
 * simply never found. V8 checks the source and its flags itself as well.
 */
export function codeCachePath(cacheRoot: string, bundle: string, bundleStat: { size: number; mtimeMs: number }, v8Flags: string): string {
  const key = [bundle, bundleStat.size, bundleStat.mtimeMs, process.versions.v8, process.arch, v8Flags].join("\0");
  return join(cacheRoot, "code-cache", `cli-${createHash("sha256").update(key).digest("hex").slice(0, 32)}.bin`);
}

function readOrNothing(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** The command a run of the bin names (`build`, `render` …; "" for `--version` and such). */
export function commandOf(argv: readonly string[]): string {
  return argv.find((arg) => !arg.startsWith("-")) ?? "";
}

/**
 * Which commands the cache should learn from: V8 keeps the code of the functions a run
 * compiled, so a cache written after `--version` lacks most of what `build` runs. The cache
 * is written again after the first run of each command (each write keeps what the cache
 * already held), listed beside it; never when every command has been seen (a write costs
 * 50–150 ms of V8 serializing).
 */
export function commandsToRemember(seen: readonly string[], command: string, cacheUsed: boolean): string[] | undefined {
  if (!cacheUsed) return [command];
  return seen.includes(command) ? undefined : [...seen, command];
}

/** How many caches (bundles × Node versions) are kept; older ones are removed after a write. */
export const KEEP_CACHES = 4;

const isCache = (name: string) => /^cli-[0-9a-f]+\.bin$/.test(name);
const listOf = (name: string) => [name.replace(/\.bin$/, ".json")];

/** The cache files to remove: all but the `keep` most recently written caches, each with its list. */
export function staleCacheFiles(files: ReadonlyArray<{ name: string; mtimeMs: number }>, keep = KEEP_CACHES): string[] {
  return beyondNewest(files.filter((f) => isCache(f.name)), keep, listOf);
}

function seenCommands(path: string): string[] {
  try {
    const list: unknown = JSON.parse(readFileSync(path, "utf8"));
    return Array.isArray(list) ? list.filter((c): c is string => typeof c === "string") : [];
  } catch {
    return [];
  }
}

/**
 * Run `bundle` (a CommonJS file) as Node's CommonJS loader would, compiled from the code
 * cache when there is a usable one. When the cache should learn from this run, it is
 * written once the event loop has drained, so it holds every function this command ran, and
 * only after a run that succeeded. `v8Flags` names the V8 flags set before this (part of the cache's key).
 */
export function runWithCodeCache(bundle: string, argv: readonly string[], env: NodeJS.ProcessEnv, v8Flags: string): void {
  const source = readFileSync(bundle, "utf8");
  const cacheFile = codeCachePath(runnerKitCacheDir(env), bundle, statSync(bundle), v8Flags);
  const listFile = cacheFile.replace(/\.bin$/, ".json");
  const cachedData = readOrNothing(cacheFile);
  // The wrapper Node's CommonJS loader puts around a module, plus the bundle's `import()` of
  // packages (scripts/bundle-cli.mjs): V8 loses a script's own dynamic-import callback when
  // the script comes from a code cache.
  const script = new Script(`(function (exports, require, module, __filename, __dirname, __runnerKitImport) { ${source}\n})`, {
    filename: bundle,
    cachedData,
  });
  const cacheUsed = cachedData !== undefined && script.cachedDataRejected !== true;
  const remember = commandsToRemember(cacheUsed ? seenCommands(listFile) : [], commandOf(argv), cacheUsed);
  if (remember) {
    let written = false;
    process.on("beforeExit", () => {
      // A command that failed leaves nothing new behind, a cache included.
      if (written || Number(process.exitCode ?? 0) !== 0) return;
      written = true;
      writeFileAtomic(cacheFile, script.createCachedData(), { mode: 0o600 })
        .then(() => writeFileAtomic(listFile, JSON.stringify(remember), { mode: 0o600 }))
        .then(() => keepNewest(dirname(cacheFile), KEEP_CACHES, isCache, listOf))
        .catch(() => {
          // No cache this time (read-only home, full disk): the next run compiles again.
        });
    });
  }
  const module = { exports: {} };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  // This module sits beside the bundle, so a package resolves from the same node_modules.
  const importPackage = (specifier: string): Promise<unknown> => import(specifier);
  run.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle), importPackage);
}
