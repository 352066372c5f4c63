/**
 * Which build args a rendered Dockerfile declares (its ARG instructions, every stage), and
 * the check that every build arg runner-kit passes is one of them. Docker only warns about
 * an arg nothing declares and builds anyway, so a misspelt `--build-arg` would silently
 * build the default. Pure.
 */
import { instructions } from "./from.js";
import { configError, usageError } from "../common/errors.js";
import { didYouMean } from "../common/nearest.js";
import type { ArgSource, Variant } from "../project/plan.js";

/** Docker's predefined proxy args, accepted without an ARG instruction (either case). */
const PROXY_ARGS = ["HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY"];
/** BuildKit's automatic platform args and build settings. */
const BUILDKIT_ARGS = ["TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT", "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT", "SOURCE_DATE_EPOCH"];
const PREDEFINED = new Set([...PROXY_ARGS, ...PROXY_ARGS.map((n) => n.toLowerCase()), ...BUILDKIT_ARGS]);

/** True for a build arg Docker or BuildKit accepts without an ARG instruction. */
export function isPredefinedArg(name: string): boolean {
  return PREDEFINED.has(name) || name.startsWith("BUILDKIT_");
}

/**
 * Split an instruction's arguments into words the way the Dockerfile parser does for ARG:
 * whitespace separates, "…" and '…' quote (quotes kept out of the word), a backslash
 * escapes the next character outside single quotes.
 */
export function instructionWords(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The names the ARG instructions declare, in order of first appearance (`ARG a b=c` declares a and b). */
export function declaredArgs(dockerfile: string): string[] {
  const names: string[] = [];
  for (const ins of instructions(dockerfile)) {
    const match = /^ARG(?:\s+(.*))?$/i.exec(ins.text);
    if (!match) continue;
    for (const word of instructionWords(match[1] ?? "")) {
      const eq = word.indexOf("=");
      const name = eq >= 0 ? word.slice(0, eq) : word;
      if (name !== "" && !names.includes(name)) names.push(name);
    }
  }
  return names;
}

interface Group {
  name: string;
  source: ArgSource;
  /** The variants that receive it, each with the ARGs its Dockerfile declares. */
  variants: { id: string; declared: string[] }[];
  declared: boolean;
}

function describeDeclared(variants: Group["variants"]): string {
  const one = (declared: string[]) => (declared.length > 0 ? `declares ARG ${declared.join(", ")}` : "declares no ARG");
  if (variants.length === 1) return `the rendered Dockerfile of image ${variants[0]!.id}, which ${one(variants[0]!.declared)} (all stages)`;
  return `any of the rendered Dockerfiles it is passed to: ${variants.map((v) => `${v.id} ${one(v.declared)}`).join("; ")} (all stages)`;
}

/**
 * Refuse a build arg from --build-arg, an image's `args:` or a team's `args:` that no
 * rendered Dockerfile receiving it declares. A --build-arg is passed to every variant
 * built, so it only has to be declared by one of them; an `args:` key by one of the
 * variants of its image or team. Template defaults are the template's own business and
 * are not checked. Variants without argSources (library callers) are not checked.
 */
export function checkDeclaredArgs(items: readonly { variant: Variant; dockerfile: string }[]): void {
  const groups = new Map<string, Group>();
  for (const { variant, dockerfile } of items) {
    const declared = declaredArgs(dockerfile);
    for (const [name, source] of Object.entries(variant.argSources ?? {})) {
      if (source.from === "template") continue;
      const key = source.from === "--build-arg" ? `--build-arg ${name}` : `${source.from} ${JSON.stringify(source.where)} ${name}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { name, source, variants: [], declared: false }));
      group.variants.push({ id: variant.id, declared });
      if (declared.includes(name) || isPredefinedArg(name)) group.declared = true;
    }
  }
  const bad = [...groups.values()].find((g) => !g.declared);
  if (!bad) return;
  const all = [...new Set(bad.variants.flatMap((v) => v.declared))];
  const suggestion = didYouMean(bad.name, all);
  const predefined = "only Docker's proxy args (HTTP_PROXY and the like) and BuildKit's platform args (TARGETPLATFORM and the like) need no ARG";
  const images = bad.variants.map((v) => v.id);
  if (bad.source.from === "--build-arg") {
    throw usageError(`--build-arg ${bad.name} is not declared by ${describeDeclared(bad.variants)}, so Docker would ignore it${suggestion}`, {
      hint: `check the name (build args are case-sensitive) or add "ARG ${bad.name}" to the template; ${predefined}`,
      details: { arg: bad.name, images },
    });
  }
  throw configError(`build arg ${bad.name} in ${bad.source.key ?? "args"} is not declared by ${describeDeclared(bad.variants)}, so Docker would ignore it${suggestion}`, {
    ...(bad.source.where ? { where: bad.source.where } : {}),
    hint: `remove it, fix its name or add "ARG ${bad.name}" to the template; ${predefined}`,
    details: { arg: bad.name, images },
  });
}
