/**
 * The FROM lines of a rendered Dockerfile: which images a build pulls in, which stage is
 * the final one, and which names are stage aliases rather than images. Pure.
 */
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

export interface Instruction {
  /** 1-based first and last physical line. */
  line: number;
  endLine: number;
  /** Continuation lines joined. */
  text: string;
}

/** Logical instructions: continuation lines joined, comments and blank lines dropped. */
export function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  let current: Instruction | undefined;
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    if (current === undefined && (trimmed === "" || trimmed.startsWith("#"))) return;
    if (current !== undefined && trimmed.startsWith("#")) return;
    const continued = /\\\s*$/.test(raw);
    const piece = continued ? raw.replace(/\\\s*$/, "") : raw;
    if (current === undefined) current = { line: index + 1, endLine: index + 1, text: piece.trim() };
    else {
      current.text += ` ${piece.trim()}`;
      current.endLine = index + 1;
    }
    if (!continued) {
      out.push(current);
      current = undefined;
    }
  });
  if (current) out.push(current);
  return out;
}

/** Docker's ${VAR}, ${VAR:-default}, $VAR substitution for FROM lines. */
function substitute(value: string, args: Record<string, string>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    const set = args[name];
    if (op === "-") return set !== undefined && set !== "" ? set : (word ?? "");
    if (op === "+") return set !== undefined && set !== "" ? (word ?? "") : "";
    return set ?? "";
  });
}

/**
 * Parse the FROM instructions (the final stage is `target` when given). `ARG` lines before the first FROM provide defaults, which
 * the build args override, exactly the scope Docker gives FROM.
 */
export function dockerfileBases(text: string, buildArgs: Record<string, string> = {}, target?: string): DockerfileBases {
  const globalArgs: Record<string, string> = {};
  const stages: FromInstruction[] = [];
  for (const ins of instructions(text)) {
    const match = /^(\w+)\s*(.*)$/.exec(ins.text);
    if (!match) continue;
    const keyword = match[1]!.toUpperCase();
    const rest = match[2]!;
    if (keyword === "ARG" && stages.length === 0) {
      for (const decl of rest.split(/\s+/).filter(Boolean)) {
        const eq = decl.indexOf("=");
        const name = eq >= 0 ? decl.slice(0, eq) : decl;
        const value = eq >= 0 ? decl.slice(eq + 1).replace(/^"(.*)"$/, "$1").replace(/^'(.*)'$/, "$1") : undefined;
        if (buildArgs[name] !== undefined) globalArgs[name] = buildArgs[name];
        else if (value !== undefined) globalArgs[name] = substitute(value, globalArgs);
      }
    } else if (keyword === "FROM") {
      const words = rest.split(/\s+/).filter((w) => w && !w.startsWith("--"));
      const image = substitute(words[0] ?? "", globalArgs);
      const alias = words[1]?.toUpperCase() === "AS" && words[2] ? words[2].toLowerCase() : undefined;
      stages.push(alias ? { image, alias, line: ins.line } : { image, line: ins.line });
    }
  }
  const aliases = new Set<string>();
  const external: string[] = [];
  for (const stage of stages) {
    const isAlias = aliases.has(stage.image.toLowerCase());
    if (!isAlias && stage.image !== "scratch" && stage.image !== "" && !external.includes(stage.image)) external.push(stage.image);
    if (stage.alias) aliases.add(stage.alias);
  }
  // The final stage's base, followed through stage aliases to the image it starts from.
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
  return base !== undefined && base !== "scratch" && base !== "" ? { stages, externalImages: external, finalBase: base } : { stages, externalImages: external };
}
