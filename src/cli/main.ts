#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";

// Peak memory. While a large build context is walked and hashed, V8 doubles its young
// generation (up to 2 × 16 MiB) and grows the old one by up to 4× at a time, though the live
// data is ~10 MiB. Keeping the young generation at its initial size and growing the old one
// by 20 % at a time holds the 50,000-file context's peak RSS ~40 MiB lower, for a few % more
// CPU in the collector (bench/README.md). These two are read each time the heap grows, so
// setting them here works; --max-semi-space-size set here changes nothing (measured), and a
// shebang cannot pass V8 flags portably (busybox's env has no -S).
setFlagsFromString("--semi-space-growth-factor=1");
setFlagsFromString("--heap-growing-percent=20");

// The bin is a bundle (scripts/bundle-cli.mjs); with --debug, stack traces name the src/
// files through the linked source maps. Node reads a module's map only if maps are on when
// the module loads, so they are turned on before anything else is imported. Off otherwise:
// reading the maps costs start-up.
if (process.argv.includes("--debug")) process.setSourceMapsEnabled(true);
await import("./process.js");
