/**
 * A small Dockerfile parser for linting: parser directives, comments, line continuations
 * (with the escape character), instructions with their line numbers, and stages.
 */
export interface Instruction {
  /** Upper-cased keyword: FROM, RUN, … */
  keyword: string;
  /** Arguments with continuations joined by a space. */
  args: string;
  /** 1-based line of the keyword. */
  line: number;
  /** Rule ids ignored for this instruction (`# hadolint ignore=DL3008,DL3015` or `# runner-kit ignore=…` on the line above). */
  ignore: Set<string>;
}

export interface Stage {
  index: number;
  /** `AS name`, lower-cased. */
  name?: string;
  /** The image or earlier stage named in FROM. */
  base: string;
  from: Instruction;
  instructions: Instruction[];
}

export interface ParsedDockerfile {
  /** ARG instructions before the first FROM. */
  meta: Instruction[];
  stages: Stage[];
  all: Instruction[];
  escape: string;
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const IGNORE = /^#\s*(?:hadolint|runner-kit)\s+ignore\s*=\s*([A-Za-z0-9, ]+)/;

export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text.split(/\r?\n/);
  let escape = "\\";
  let start = 0;
  // Parser directives: only at the very top, before any other line.
  for (; start < lines.length; start++) {
    const m = DIRECTIVE.exec(lines[start]!);
    if (!m) break;
    if (m[1]!.toLowerCase() === "escape" && (m[2] === "`" || m[2] === "\\")) escape = m[2];
  }

  const all: Instruction[] = [];
  let pendingIgnore = new Set<string>();
  for (let i = start; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (trimmed === "") continue;
    if (trimmed.startsWith("#")) {
      const ig = IGNORE.exec(trimmed);
      if (ig) pendingIgnore = new Set(ig[1]!.split(/[\s,]+/).filter(Boolean).map((s) => s.toUpperCase()));
      continue;
    }
    const startLine = i + 1;
    let body = raw.trimEnd();
    while (body.endsWith(escape) && i + 1 < lines.length) {
      body = body.slice(0, -1);
      i++;
      // Comment lines inside a continuation are dropped, as Docker does.
      while (i < lines.length && lines[i]!.trim().startsWith("#")) i++;
      if (i < lines.length) body += ` ${lines[i]!.trim()}`;
      body = body.trimEnd();
    }
    const m = /^\s*(\S+)\s*(.*)$/.exec(body)!;
    all.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim().replace(/\s+/g, " "), line: startLine, ignore: pendingIgnore });
    pendingIgnore = new Set();
  }

  const meta: Instruction[] = [];
  const stages: Stage[] = [];
  for (const instruction of all) {
    if (instruction.keyword === "FROM") {
      const words = instruction.args.split(" ").filter((w) => !w.startsWith("--"));
      const as = words.findIndex((w) => w.toUpperCase() === "AS");
      stages.push({
        index: stages.length,
        base: words[0] ?? "",
        ...(as >= 0 && words[as + 1] ? { name: words[as + 1]!.toLowerCase() } : {}),
        from: instruction,
        instructions: [],
      });
    } else if (stages.length === 0) {
      meta.push(instruction);
    } else {
      stages[stages.length - 1]!.instructions.push(instruction);
    }
  }
  return { meta, stages, all, escape };
}

/** The name an ARG or ENV instruction declares (ARG X=1 → X; ENV A=1 B=2 → A, B; ENV A 1 → A). */
export function declaredNames(instruction: Instruction): string[] {
  if (instruction.keyword === "ARG") return [instruction.args.split("=")[0]!.split(" ")[0]!];
  if (instruction.keyword === "ENV") {
    if (!/^[^\s=]+=/.test(instruction.args)) return [instruction.args.split(" ")[0]!];
    return [...instruction.args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1]!);
  }
  return [];
}

/**
 * Variables referenced as $NAME or ${NAME…}. With `shell`, text in single quotes is
 * skipped (the shell does not expand it) and \$ is an escaped dollar.
 */
export function referencedNames(text: string, shell = false): string[] {
  const names: string[] = [];
  let quote: "" | "'" | '"' = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (shell && (c === "'" || c === '"') && (quote === "" || quote === c)) {
      quote = quote === c ? "" : c;
      continue;
    }
    if (quote === "'") continue;
    if (c === "\\") {
      i++;
      continue;
    }
    if (c !== "$") continue;
    const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/.exec(text.slice(i));
    if (m) names.push(m[1] ?? m[2]!);
  }
  return names;
}
