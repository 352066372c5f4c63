/**
 * The base images of a Dockerfile: which images a build pulls in, which stage is the final
 * one, and which names are stage aliases rather than images. FROM lines see the ARGs
 * declared before the first FROM (their defaults, overridden by the build args), exactly
 * the scope Docker gives them. Pure.
 */
import { argDeclarations } from "./declared-args.js";
import { asDockerfile, type Dockerfile } from "./parse.js";
import { instructionWords } from "./words.js";

export interface FromInstruction {
  /** The image as written after ARG substitution, e.g. "debian:bookworm" or "builder". */
  image: string;
  /** The stage alias (`AS name`), lower-cased as Docker treats it. */
  alias?: string;
  /** 1-based line of the FROM instruction. */
  line: number;
}

export interface DockerfileBases {
  stages: FromInstruction[];
  /**
   * Images (not stage aliases, not `scratch`) the build uses as a base, in order of first
   * appearance.
   */
  externalImages: string[];
  /** The final stage's image when it is external (the OCI base.name). */
  finalBase?: string;
}

/** The global ARGs' values as FROM sees them: defaults (expanded in order), overridden by build args. */
function globalArgs(dockerfile: Dockerfile, buildArgs: Record<string, string>): Map<string, string> {
  const values = new Map<string, string>();
  for (const ins of dockerfile.preamble) {
    for (const { name, value } of argDeclarations(ins, dockerfile.escape, (n) => values.get(n))) {
      const given = buildArgs[name] ?? value;
      if (given !== undefined) values.set(name, given);
    }
  }
  return values;
}

/** The final stage's base, followed through stage aliases to the image it starts from. */
function finalBaseOf(stages: FromInstruction[], target: string | undefined): string | undefined {
  const targetIndex = target === undefined ? -1 : stages.findIndex((s) => s.alias === target.toLowerCase());
  let index = targetIndex >= 0 ? targetIndex : stages.length - 1;
  let base = stages[index]?.image;
  while (base !== undefined && index > 0) {
    const name = base.toLowerCase();
    const earlier = stages.slice(0, index).findLastIndex((s) => s.alias === name);
    if (earlier < 0) break;
    index = earlier;
    base = stages[earlier]!.image;
  }
  return base !== undefined && base !== "scratch" && base !== "" ? base : undefined;
}

/** Read the FROM instructions (the final stage is `target` when given). */
export function dockerfileBases(input: string | Dockerfile, buildArgs: Record<string, string> = {}, target?: string): DockerfileBases {
  const dockerfile = asDockerfile(input);
  const values = globalArgs(dockerfile, buildArgs);
  const stages: FromInstruction[] = dockerfile.stages.map((stage) => {
    const image = instructionWords(stage.from.args, dockerfile.escape, (n) => values.get(n))[0] ?? "";
    return stage.name ? { image, alias: stage.name, line: stage.from.line } : { image, line: stage.from.line };
  });
  const aliases = new Set<string>();
  const external: string[] = [];
  for (const stage of stages) {
    const isAlias = aliases.has(stage.image.toLowerCase());
    if (!isAlias && stage.image !== "scratch" && stage.image !== "" && !external.includes(stage.image)) external.push(stage.image);
    if (stage.alias) aliases.add(stage.alias);
  }
  const finalBase = finalBaseOf(stages, target);
  return finalBase !== undefined ? { stages, externalImages: external, finalBase } : { stages, externalImages: external };
}

/** The ARGs each FROM names in its image (`FROM ${BASE}` → ["BASE"]), by the FROM's line; FROMs without ARGs are left out. */
export function baseImageArgs(input: string | Dockerfile): Map<number, string[]> {
  const dockerfile = asDockerfile(input);
  const byLine = new Map<number, string[]>();
  for (const stage of dockerfile.stages) {
    const used = new Set<string>();
    instructionWords(stage.from.args, dockerfile.escape, (name) => {
      used.add(name);
      return undefined;
    });
    if (used.size > 0) byLine.set(stage.from.line, [...used]);
  }
  return byLine;
}
