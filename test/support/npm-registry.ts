/**
 * A tiny npm registry on this host, for `ci: { install: npx }` (issue 16 item 5): it serves
 * `npm pack` of this checkout as runner-kit@<version>, and every production dependency in
 * package-lock.json packed from node_modules, so that `npx --yes runner-kit@<version>` in a
 * container installs this checkout with npm's own resolution and no public registry.
 *
 * It answers npm's two requests: GET /<name> (the packument: every version it holds, with
 * its manifest and dist.tarball/integrity) and GET /-/tarballs/<file>. Anything else is 404
 * and recorded in `misses`, so a test can say what npm looked for (npm also asks for optional
 * peer dependencies that are not installed here, e.g. bare-abort-controller; a 404 is right).
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface NpmRegistry {
  /** The registry URL as containers reach it (npm_config_registry). */
  url: string;
  /** How many package versions it serves, and their tarballs' total size. */
  versions: number;
  bytes: number;
  /** Paths npm asked for that the registry does not hold. */
  misses: string[];
  close(): Promise<void>;
}

interface Packed {
  name: string;
  version: string;
  file: string;
  manifest: Record<string, unknown>;
}

/** The manifest fields npm's resolver and installer read. */
const MANIFEST_FIELDS = ["name", "version", "dependencies", "optionalDependencies", "peerDependencies", "peerDependenciesMeta", "bin", "os", "cpu", "engines", "bundleDependencies"];

function manifestOf(dir: string): Record<string, unknown> {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<string, unknown>;
  return Object.fromEntries(MANIFEST_FIELDS.filter((f) => pkg[f] !== undefined).map((f) => [f, pkg[f]]));
}

/** The production packages package-lock.json installed under node_modules (nested ones too). */
function productionPackages(checkout: string): string[] {
  const lock = JSON.parse(readFileSync(join(checkout, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean; link?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith("node_modules/") && !entry.dev && !entry.link)
    .map(([path]) => join(checkout, path))
    .filter((dir) => existsSync(join(dir, "package.json")));
}

/** A package directory as npm's tarball layout (package/…), without its nested node_modules. */
async function packDirectory(dir: string, out: string): Promise<Packed> {
  const manifest = manifestOf(dir);
  const file = join(out, `${String(manifest.name).replace("/", "__")}-${String(manifest.version)}.tgz`);
  const base = basename(dir).replace(/[\\,&]/g, "\\$&");
  await run("tar", ["-czf", file, "--exclude=node_modules", "-C", dirname(dir), `--transform=s,^${base},package,`, basename(dir)]);
  return { name: String(manifest.name), version: String(manifest.version), file, manifest };
}

/** `npm pack` of the checkout (dist must be built): runner-kit exactly as it would be published. */
async function packCheckout(checkout: string, out: string): Promise<Packed> {
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", out], { cwd: checkout });
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  const manifest = manifestOf(checkout);
  return { name: String(manifest.name), version: String(manifest.version), file: join(out, packed!.filename), manifest };
}

async function inBatches<T, R>(items: T[], size: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map(f))));
  return results;
}

function packuments(packed: Packed[], url: string): Map<string, string> {
  const byName = new Map<string, Record<string, Record<string, unknown>>>();
  for (const p of packed) {
    const data = readFileSync(p.file);
    const dist = {
      tarball: `${url}/-/tarballs/${basename(p.file)}`,
      shasum: createHash("sha1").update(data).digest("hex"),
      integrity: `sha512-${createHash("sha512").update(data).digest("base64")}`,
    };
    byName.set(p.name, { ...byName.get(p.name), [p.version]: { ...p.manifest, dist } });
  }
  const result = new Map<string, string>();
  for (const [name, versions] of byName) {
    const latest = Object.keys(versions).sort((a, b) => a.localeCompare(b, "en", { numeric: true })).at(-1)!;
    result.set(name, JSON.stringify({ name, "dist-tags": { latest }, versions }));
  }
  return result;
}

/**
 * Start the registry on all addresses; `host` is the address containers use for this host (the
 * bridge gateway). With `token`, every request without `Authorization: Bearer <token>` is 401
 * (what a private registry answers npm without its `_authToken`).
 */
export async function startNpmRegistry(checkout: string, host: string, options: { token?: string } = {}): Promise<NpmRegistry> {
  const out = mkdtempSync(join(tmpdir(), "rk-npm-registry-"));
  const packed = [await packCheckout(checkout, out), ...(await inBatches(productionPackages(checkout), 8, (dir) => packDirectory(dir, out)))];
  const misses: string[] = [];
  let documents = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "/").split("?")[0]!);
    const tarball = path.startsWith("/-/tarballs/") ? join(out, basename(path)) : undefined;
    const packument = documents.get(path.slice(1));
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      misses.push(`unauthorized ${req.method ?? "?"} ${path}`);
      res.writeHead(401, { "content-type": "application/json", "www-authenticate": 'Bearer realm="npm"' }).end('{"error":"unauthorized"}');
    } else if (req.method === "GET" && packument) {
      res.writeHead(200, { "content-type": "application/json" }).end(packument);
    } else if (req.method === "GET" && tarball && existsSync(tarball)) {
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(readFileSync(tarball));
    } else {
      misses.push(`${req.method ?? "?"} ${path}`);
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  documents = packuments(packed, url);
  return {
    url,
    versions: packed.length,
    bytes: packed.reduce((sum, p) => sum + readFileSync(p.file).length, 0),
    misses,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(out, { recursive: true, force: true });
    },
  };
}
