// `npm run build`, after tsc: the CLI bundled into a few ESM files so `runner-kit` starts
// with one module read instead of several hundred (tsc's dist/ stays the library).
//
//   dist/cli/main.js          the bin (package.json "bin"): runner-kit's code, commander, yaml,
//                             zod, handlebars … in one file
//   dist/cli/chunk-*.js       what a command loads on demand (every `await import()` of src/
//                             becomes a chunk), so a command still loads only what it uses
//
// dockerode and what it pulls in (docker-modem, ssh2 with its optional native parts, gRPC,
// protobufjs) stay outside the bundle and are imported from node_modules when first used:
// a no-op build must not load them (test/integration/build-noop.test.ts). Every chunk is
// written next to main.js, two levels below the package root like tsc's dist/<room>/*.js,
// so src/common/package-root.ts finds templates/, smoke/ and package.json from either.
// Linked source maps point at src/; `--debug` turns them on (src/cli/main.ts).
import { build } from "esbuild";
import { readdirSync, rmSync } from "node:fs";
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

// Chunk names carry a content hash: drop the previous build's before writing new ones.
for (const name of readdirSync(outdir)) if (/^chunk-.*\.js(\.map)?$/.test(name)) rmSync(join(outdir, name));

await build({
  entryPoints: { main: join(root, "src", "cli", "main.ts") },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: EXTERNAL,
  plugins: [dynamicPackagesStayOut],
  chunkNames: "chunk-[hash]",
  sourcemap: "linked",
  sourcesContent: false,
  // CommonJS packages bundled into ESM still call require() for Node's own modules.
  banner: { js: 'import { createRequire as __runnerKitRequire } from "node:module"; const require = __runnerKitRequire(import.meta.url);' },
  logLevel: "warning",
});
