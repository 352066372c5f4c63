import { createHash } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ContextEntry } from "./context-files.js";
import type { FileDigestCache } from "./hash-cache.js";
import { mapLimit } from "../common/map-limit.js";
import { traceMark } from "../common/trace.js";
import type { BuilderKind } from "./image-builder.js";

export interface ContentHashInput {
  /** The rendered Dockerfile text. */
  dockerfile: string;
  buildArgs: Record<string, string>;
  target?: string;
  /** Build context directory and its entries (after .dockerignore). */
  contextDir: string;
  entries: ContextEntry[];
  /** Content hashes of project images this one is built FROM, so a rebuilt base rebuilds it. */
  dependencies?: Record<string, string>;
  /** The builder that builds it: BuildKit and the classic builder make different images from one Dockerfile. */
  builder?: BuilderKind;
  /** The project's registry cache settings (`cache:`): inline cache changes the image, and a change should take effect. */
  cache?: { from: readonly string[]; inline: boolean };
  /** The ids of the build secrets given (never their values): a secret mount nobody gave an id for is skipped. */
  secretIds?: readonly string[];
  /** The ids of the SSH agents forwarded (`--ssh`; never a socket path): an ssh mount nobody gave an agent for is skipped. */
  sshIds?: readonly string[];
  /** Digests of files that did not change since they were last read (hash-cache.ts); misses are read. */
  fileDigests?: FileDigestCache;
}

/** Files below this size are read in one synchronous call: for many small files that is several times faster than the thread pool. */
const SMALL_FILE = 256 * 1024;
const PARALLEL_READS = 16;
/** Small files read between two yields to the event loop (other builds keep streaming). */
const BATCH = 256;

async function largeFileDigest(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function entryDigests(contextDir: string, entries: ContextEntry[], cache?: FileDigestCache): Promise<string[]> {
  const digests = new Array<string>(entries.length);
  const large: number[] = [];
  let read = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const known = e.type === "file" ? cache?.get(e) : undefined;
    if (e.type !== "file") digests[i] = e.linkname ?? "";
    else if (known !== undefined) digests[i] = known;
    else if (e.size >= SMALL_FILE) large.push(i);
    else {
      const digest = createHash("sha256").update(readFileSync(join(contextDir, e.path))).digest("hex");
      digests[i] = digest;
      cache?.set(e, digest);
      if (++read % BATCH === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }
  await mapLimit(large, PARALLEL_READS, async (i) => {
    const digest = await largeFileDigest(join(contextDir, entries[i]!.path));
    digests[i] = digest;
    cache?.set(entries[i]!, digest);
  });
  traceMark(`context files hashed: ${read + large.length} read, the rest from the hash cache (${contextDir})`);
  return digests;
}

/**
 * "sha256:<hex>" over everything that decides what a build produces: the rendered
 * Dockerfile, the build args, the target, each context file's path, type, mode and content
 * (modification times do not count: a fresh checkout is not a change), and the hashes of
 * project images it builds on, the builder, the project's cache settings and the ids of the
 * secrets given (not their values). Labels such as the creation time are deliberately outside.
 */
export async function computeContentHash(input: ContentHashInput): Promise<string> {
  const fileDigests = await entryDigests(input.contextDir, input.entries, input.fileDigests);
  const hash = createHash("sha256");
  const field = (value: string) => hash.update(value).update("\0");
  field("runner-kit content hash v1");
  field(`dockerfile`).update(createHash("sha256").update(input.dockerfile).digest("hex")).update("\0");
  for (const key of Object.keys(input.buildArgs).sort()) field(`arg ${key}=${input.buildArgs[key]}`);
  field(`target ${input.target ?? ""}`);
  for (const key of Object.keys(input.dependencies ?? {}).sort()) field(`from ${key}=${input.dependencies![key]}`);
  // Each input below counts only when given, so a caller that gives none keeps its hashes.
  if (input.builder !== undefined) field(`builder ${input.builder}`);
  if (input.cache !== undefined) field(`cache inline=${input.cache.inline} from=${input.cache.from.join(" ")}`);
  for (const id of [...new Set(input.secretIds ?? [])].sort()) field(`secret ${id}`);
  for (const id of [...new Set(input.sshIds ?? [])].sort()) field(`ssh ${id}`);
  input.entries.forEach((e, i) => field(`${e.type} ${e.path} ${(e.mode & 0o111) !== 0 ? "x" : "-"} ${fileDigests[i]}`));
  return `sha256:${hash.digest("hex")}`;
}

/**
 * The content hash of one platform's image of a multi-platform variant: the variant's
 * content (computeContentHash) for this target platform. Each platform's image carries
 * its own, so a platform added to the list does not rebuild the others.
 */
export function platformContentHash(contentHash: string, platform: string): string {
  return `sha256:${createHash("sha256").update(`runner-kit platform content hash v1\0${contentHash}\0${platform}`).digest("hex")}`;
}

/**
 * The content hash of a multi-platform variant as a whole (its lock entry, its dependents):
 * the content and the list of platforms, in order (the index lists them in this order).
 */
export function platformsContentHash(contentHash: string, platforms: readonly string[]): string {
  return `sha256:${createHash("sha256").update(`runner-kit platforms content hash v1\0${contentHash}\0${platforms.join("\0")}`).digest("hex")}`;
}
