/**
 * The bin past its early answers (main.ts): the CLI as one CommonJS bundle, cli.cjs beside
 * this file (scripts/bundle-cli.mjs), compiled from V8's code cache (code-cache.ts). With
 * --debug, stack traces name the src/ files through the linked source maps: Node reads a
 * module's map only if maps are on when the module loads, and only for modules its own
 * loader loads, so --debug turns them on and requires the bundle without the cache. Off
 * otherwise: reading the maps costs start-up. Without a bundle (tsc's dist/ alone), the
 * CLI's own module.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runWithCodeCache } from "./code-cache.js";

/** A variable, so the bundler leaves the fallback out of the bin. */
const PROCESS_MODULE = "./process.js";

/** Run the CLI for `argv`; `v8Flags` names the V8 flags main.ts set (part of the code cache's key). */
export function launch(argv: readonly string[], v8Flags: string): void {
  const bundle = join(dirname(fileURLToPath(import.meta.url)), "cli.cjs");
  if (!existsSync(bundle)) void import(PROCESS_MODULE);
  else if (argv.includes("--debug")) {
    process.setSourceMapsEnabled(true);
    createRequire(import.meta.url)(bundle);
  } else runWithCodeCache(bundle, argv, process.env, v8Flags);
}
