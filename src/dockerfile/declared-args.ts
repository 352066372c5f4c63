/**
 * Build args in the Dockerfile model: what an ARG instruction declares, which args a
 * Dockerfile declares in all, and the args Docker and BuildKit define without an ARG.
 * Pure.
 */
import type { EscapeChar } from "./directives.js";
import { asDockerfile, type Dockerfile, type Instruction } from "./parse.js";
import { splitWords, wordValue, type Lookup } from "./words.js";

/** Docker's predefined proxy args, accepted without an ARG instruction (either case). */
const PROXY_ARGS = ["HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY"];
/**
 * BuildKit's automatic platform args. They live in the global scope: FROM lines see them
 * without an ARG, a stage only after `ARG TARGETARCH` (without a value) inside it.
 */
export const PLATFORM_ARGS: readonly string[] = ["TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT", "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT"];
const PREDEFINED = new Set([...PROXY_ARGS, ...PROXY_ARGS.map((n) => n.toLowerCase()), ...PLATFORM_ARGS, "SOURCE_DATE_EPOCH"]);

/** True for a build arg Docker or BuildKit accepts without an ARG instruction. */
export function isPredefinedArg(name: string): boolean {
  return PREDEFINED.has(name) || name.startsWith("BUILDKIT_");
}

export interface ArgDeclaration {
  name: string;
  /** The default (quotes removed; expanded when a lookup is given), undefined for `ARG NAME`. */
  value?: string;
}

/**
 * What one ARG instruction declares: `ARG A=1 B="x y" C` → A, B, C; nothing for other
 * instructions. Lazy, one word at a time, so a caller that records each declaration
 * before taking the next gives `ARG A=1 B=$A` Docker's global-scope meaning (B is 1).
 */
export function* argDeclarations(ins: Instruction, escape: EscapeChar, lookup?: Lookup): Generator<ArgDeclaration> {
  if (ins.keyword !== "ARG") return;
  for (const raw of splitWords(ins.args, escape)) {
    const word = wordValue(raw, escape, lookup);
    const eq = word.indexOf("=");
    const name = eq >= 0 ? word.slice(0, eq) : word;
    if (name !== "") yield eq >= 0 ? { name, value: word.slice(eq + 1) } : { name };
  }
}

/** The names the ARG instructions declare (every stage), in order of first appearance. */
export function declaredArgs(input: string | Dockerfile): string[] {
  const dockerfile = asDockerfile(input);
  const names = new Set<string>();
  for (const ins of dockerfile.instructions) for (const { name } of argDeclarations(ins, dockerfile.escape)) names.add(name);
  return [...names];
}
