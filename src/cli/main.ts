#!/usr/bin/env node
// The bin. It is a bundle (scripts/bundle-cli.mjs); with --debug, stack traces name the src/
// files through the linked source maps. Node reads a module's map only if maps are on when
// the module loads, so they are turned on before anything else is imported. Off otherwise:
// reading the maps costs start-up.
if (process.argv.includes("--debug")) process.setSourceMapsEnabled(true);
await import("./process.js");
