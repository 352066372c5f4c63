#!/usr/bin/env node
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runWithCodeCache } from "./code-cache.js";

/** A variable, so the bundler leaves the fallback out of the bin. */
const PROCESS_MODULE = "./process.js";

// Peak memory. While a large build context is walked and hashed, V8 doubles its young
// generation (up to 2 × 16 MiB) and grows the old one by up to 4× at a time, though the live
// data is ~10 MiB. Keeping the young generation at its initial size and growing the old one
// by 20 % at a time holds the 50,000-file context's peak RSS ~40 MiB lower, for a few % more
// CPU in the collector (bench/README.md). These two are read each time the heap grows, so
// setting them here works; --max-semi-space-size set here changes nothing (measured), and a
// shebang cannot pass V8 flags portably (busybox's env has no -S).
const V8_FLAGS = ["--semi-space-growth-factor=1", "--heap-growing-percent=20"];
for (const flag of V8_FLAGS) setFlagsFromString(flag);

// The bin is this small ES module plus the CLI as one CommonJS bundle, cli.cjs beside it
// (scripts/bundle-cli.mjs), compiled from V8's code cache (code-cache.ts). With --debug,
// stack traces name the src/ files through the linked source maps: Node reads a module's
// map only if maps are on when the module loads, and only for modules its own loader
// loads, so --debug turns them on and requires the bundle without the cache. Off
// otherwise: reading the maps costs start-up. Without a bundle (tsc's dist/ alone), the
// CLI's own module.
const bundle = join(dirname(fileURLToPath(import.meta.url)), "cli.cjs");
if (!existsSync(bundle)) await import(PROCESS_MODULE);
else if (process.argv.includes("--debug")) {
  process.setSourceMapsEnabled(true);
  createRequire(import.meta.url)(bundle);
} else runWithCodeCache(bundle, process.argv.slice(2), process.env, V8_FLAGS.join(" "));
