/**
 * The Dockerfile model: the one parser every reader uses (lint, build, the ARG check, the
 * pipeline). Classic syntax as BuildKit reads it, without heredocs: parser directives
 * (`# escape=` picks the continuation character), comments (also inside continued
 * lines), continued lines joined as Docker joins them, leading `--flags` of any instruction
 * (`RUN --mount=… --network=… --security=…`, `FROM --platform=…`, `COPY --from=…`), line
 * numbers, and the stages. Pure.
 */
import { escapeChar, parserDirectives, type Directive, type EscapeChar } from "./directives.js";
import { extractFlags, type Flag } from "./flags.js";

export type { Directive, EscapeChar } from "./directives.js";
export type { Flag } from "./flags.js";

export interface Instruction {
  /** Upper-cased keyword: FROM, RUN, … */
  keyword: string;
  /** The arguments after the keyword and its flags: continued lines joined, trimmed. */
  args: string;
  /** Leading `--name[=value]` flags, in order. */
  flags: Flag[];
  /** 1-based first (keyword) and last physical line. */
  line: number;
  endLine: number;
  /** The comment lines (trimmed, with their #) between the previous instruction and this one. */
  comments: string[];
}

export interface Stage {
  index: number;
  /** `AS name`, lower-cased as Docker treats it. */
  name?: string;
  /** The image or earlier stage named in FROM, as written (variables not expanded). */
  base: string;
  /** The `--platform` flag as written, e.g. "$BUILDPLATFORM". */
  platform?: string;
  from: Instruction;
  /** The stage's instructions after FROM. */
  instructions: Instruction[];
}

export interface Dockerfile {
  /** The text that was parsed. */
  text: string;
  directives: Directive[];
  escape: EscapeChar;
  /** Every instruction, in order. */
  instructions: Instruction[];
  /** The instructions before the first FROM (the global ARGs). */
  preamble: Instruction[];
  stages: Stage[];
}

/** The line without its continuation mark (the escape character at its end, trailing blanks allowed), and whether it had one. */
function continuation(line: string, escape: EscapeChar): { piece: string; continued: boolean } {
  const mark = escape === "`" ? /`[ \t]*$/ : /\\[ \t]*$/;
  return mark.test(line) ? { piece: line.replace(mark, ""), continued: true } : { piece: line, continued: false };
}

function instruction(body: string, line: number, endLine: number, comments: string[]): Instruction {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(body.trim())!;
  const { flags, rest } = extractFlags(match[2]!);
  return { keyword: match[1]!.toUpperCase(), args: rest.trim(), flags, line, endLine, comments };
}

function stagesOf(instructions: Instruction[]): { preamble: Instruction[]; stages: Stage[] } {
  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === "FROM") {
      const words = ins.args.split(/\s+/);
      const as = words.findIndex((w, i) => i > 0 && w.toUpperCase() === "AS");
      const platform = ins.flags.find((f) => f.name === "platform")?.value;
      stages.push({
        index: stages.length,
        base: words[0] ?? "",
        ...(as >= 0 && words[as + 1] ? { name: words[as + 1]!.toLowerCase() } : {}),
        ...(platform !== undefined ? { platform } : {}),
        from: ins,
        instructions: [],
      });
    } else if (stages.length === 0) preamble.push(ins);
    else stages[stages.length - 1]!.instructions.push(ins);
  }
  return { preamble, stages };
}

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const directives = parserDirectives(lines);
  const escape = escapeChar(directives);
  const instructions: Instruction[] = [];
  let comments: string[] = [];
  for (let i = directives.length; i < lines.length; i++) {
    const trimmed = lines[i]!.trim();
    if (trimmed === "") continue;
    if (trimmed.startsWith("#")) {
      comments.push(trimmed);
      continue;
    }
    const start = i;
    let { piece: body, continued } = continuation(lines[i]!.trimStart(), escape);
    while (continued && i + 1 < lines.length) {
      const next = lines[++i]!;
      // Comment and empty lines inside a continued instruction are dropped, as Docker does.
      if (next.trim() === "" || next.trimStart().startsWith("#")) continue;
      const part = continuation(next, escape);
      body += part.piece;
      continued = part.continued;
    }
    instructions.push(instruction(body, start + 1, i + 1, comments));
    comments = [];
  }
  return { text, directives, escape, instructions, ...stagesOf(instructions) };
}

/** A Dockerfile given as text or already parsed (library callers pass text). */
export function asDockerfile(input: string | Dockerfile): Dockerfile {
  return typeof input === "string" ? parseDockerfile(input) : input;
}
