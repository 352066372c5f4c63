// `npm run build`, after tsc: the CLI bundled into two files so `runner-kit` starts
// with one module read instead of several hundred (tsc's dist/ stays the library).
//
//   dist/cli/main.js          the bin (package.json "bin"): a small ES module that sets V8's
//                             flags, answers --version and the top-level help itself
//                             (src/cli/main.ts, early-answers.ts, help-model.ts) and runs
//                             cli.cjs for anything else (launch.ts, code-cache.ts)
//   dist/cli/cli.cjs          runner-kit's code, commander, yaml, zod, handlebars … in one
//                             CommonJS file, compiled from V8's code cache
//
// dockerode and what it pulls in (docker-modem, ssh2 with its optional native parts, gRPC,
// protobufjs) stay outside the bundle and are imported from node_modules when first used:
// a no-op build must not load them (test/integration/build-noop.test.ts). cli.cjs is
// written next to main.js, two levels below the package root like tsc's dist/<room>/*.js,
// so src/common/package-root.ts finds templates/, smoke/ and package.json from either.
// Linked source maps point at src/; `--debug` turns them on (src/cli/main.ts).
import { build } from "esbuild";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist", "cli");

/** Loaded on first use from node_modules, never bundled. */
const EXTERNAL = ["dockerode", "docker-modem", "ssh2", "cpu-features", "@grpc/grpc-js", "@grpc/proto-loader", "protobufjs"];

/**
 * A package src/ imports on demand (`await import("undici")`) is imported by Node from
 * node_modules at that moment, as from tsc's output. Bundled, a CommonJS package behind a
 * dynamic import would become a chunk whose namespace holds only `default`, and
 * `const { pack } = await import("tar-fs")` would find nothing. Static imports are bundled.
 */
const dynamicPackagesStayOut = {
  name: "dynamic-packages-stay-out",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => (args.kind === "dynamic-import" ? { path: args.path, external: true } : undefined));
  },
};

// The ES-module build of earlier versions wrote chunks: drop any left in dist/cli/.
for (const name of readdirSync(outdir)) if (/^chunk-.*\.js(\.map)?$/.test(name)) rmSync(join(outdir, name));

const common = { bundle: true, platform: "node", target: "node20", sourcemap: "linked", sourcesContent: false, logLevel: "warning" };

// The CLI: one CommonJS file, so V8 can compile it from a code cache (Node 20 has none for
// ES modules). Every `await import()` of src/ stays lazy: esbuild wraps each module in an
// init function run on first import, so a command still evaluates only what it uses.
//
// A package src/ imports on demand stays an `import()` from node_modules, but V8 drops the
// dynamic-import callback of a script compiled from a code cache (Node 20: "A dynamic import
// callback was not specified"). So each `import("pkg")` becomes `__dyn_("pkg")` (the same
// length, so the source map's columns hold): the loader passes an `import()` of its own
// (src/cli/code-cache.ts), and required as plain CommonJS (--debug) it is Node's `import()`.
const cli = await build({
  ...common,
  entryPoints: [join(root, "src", "cli", "process.ts")],
  outfile: join(outdir, "cli.cjs"),
  format: "cjs",
  external: EXTERNAL,
  plugins: [dynamicPackagesStayOut],
  // package-root.ts finds templates/ from import.meta.url: the bundle's own URL.
  define: { "import.meta.url": "__runnerKitUrl" },
  banner: {
    js: [
      'const __runnerKitUrl = require("node:url").pathToFileURL(__filename).href;',
      'const __dyn_ = typeof __runnerKitImport === "function" ? __runnerKitImport : (specifier) => import(specifier);',
    ].join("\n"),
  },
  write: false,
});
for (const file of cli.outputFiles) {
  let text = file.text;
  if (file.path.endsWith(".cjs")) {
    text = text.replace(/\bimport\(("[^"]+")\)/g, "__dyn_($1)");
    const left = text.split("\n").slice(2).join("\n").match(/\bimport\((?!\))[^)]*\)/);
    if (left) throw new Error(`cli.cjs: an import() the code cache cannot run: ${left[0]}`);
    // ASCII only (esbuild escapes strings; what is left is in comments): one non-ASCII
    // character makes the 2.6 MB source a two-byte string, ~15 ms more to read at each start.
    text = text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  }
  writeFileSync(file.path, text);
}

// The top-level help as data for the bin (src/cli/help-model.ts), from the commander tree tsc
// just built, and refused unless commander prints the same from it at every terminal width.
const commander = await import("commander");
const { createProgram } = await import(join(outdir, "program.js"));
const { helpModelOf, firstWidthApart } = await import(join(outdir, "help-model.js"));
const sink = { write: () => true, isTTY: false };
const program = createProgram({ argv: [], env: {}, cwd: root, stdout: sink, stderr: sink, signal: new AbortController().signal });
const helpModel = JSON.parse(JSON.stringify(helpModelOf(program)));
const apart = firstWidthApart(program, helpModel, commander);
if (apart !== null) throw new Error(`the help model prints other help than the CLI ${apart === undefined ? "off a terminal" : `at ${apart} columns`}: src/cli/help-model.ts misses what the program now uses`);

// The bin: V8 flags, --version and the top-level help (commander imported from node_modules
// for that alone); anything else: source maps for --debug, cli.cjs through the code cache.
await build({
  ...common,
  entryPoints: [join(root, "src", "cli", "main.ts")],
  outfile: join(outdir, "main.js"),
  format: "esm",
  external: ["commander"],
  define: { __RUNNER_KIT_HELP_MODEL__: JSON.stringify(JSON.stringify(helpModel)) },
});
