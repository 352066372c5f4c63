import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ContextEntry } from "./context-files.js";
import { mapLimit } from "./map-limit.js";

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
}

const SMALL_FILE = 1 << 20;
const PARALLEL_READS = 32;

async function fileDigest(path: string, size: number): Promise<string> {
  if (size < SMALL_FILE) return createHash("sha256").update(await readFile(path)).digest("hex");
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * "sha256:<hex>" over everything that decides what a build produces: the rendered
 * Dockerfile, the build args, the target, each context file's path, type, mode and content
 * (modification times do not count: a fresh checkout is not a change), and the hashes of
 * project images it builds on. Labels such as the creation time are deliberately outside.
 */
export async function computeContentHash(input: ContentHashInput): Promise<string> {
  const fileDigests = await mapLimit(input.entries, PARALLEL_READS, (e) =>
    e.type === "file" ? fileDigest(join(input.contextDir, e.path), e.size) : Promise.resolve(e.linkname ?? ""),
  );
  const hash = createHash("sha256");
  const field = (value: string) => hash.update(value).update("\0");
  field("runner-kit content hash v1");
  field(`dockerfile`).update(createHash("sha256").update(input.dockerfile).digest("hex")).update("\0");
  for (const key of Object.keys(input.buildArgs).sort()) field(`arg ${key}=${input.buildArgs[key]}`);
  field(`target ${input.target ?? ""}`);
  for (const key of Object.keys(input.dependencies ?? {}).sort()) field(`from ${key}=${input.dependencies![key]}`);
  input.entries.forEach((e, i) => field(`${e.type} ${e.path} ${(e.mode & 0o111) !== 0 ? "x" : "-"} ${fileDigests[i]}`));
  return `sha256:${hash.digest("hex")}`;
}
