/**
 * runner-kit's image labels written into the Dockerfile of the stage that is built, in the
 * Dockerfile's own escape character. Pure.
 */
import { asDockerfile, type Dockerfile, type Instruction, type Stage } from "./parse.js";
import { instructionWords } from "./words.js";

/** A LABEL value in double quotes, with what the Dockerfile parser would expand escaped. */
function quote(value: string, escape: string): string {
  const special = new Set(['"', "$", escape]);
  return `"${[...value].map((c) => (special.has(c) ? `${escape}${c}` : c)).join("").replace(/\n/g, " ")}"`;
}

/** The stage that is built: the target, else the last. */
function builtStage(dockerfile: Dockerfile, target: string | undefined): Stage | undefined {
  const named = target === undefined ? undefined : dockerfile.stages.find((s) => s.name === target.toLowerCase());
  return named ?? dockerfile.stages.at(-1);
}

/** Keys the stage's own LABEL instructions set (key=value pairs). */
function labelKeys(instructions: Instruction[], dockerfile: Dockerfile): Set<string> {
  const keys = new Set<string>();
  for (const ins of instructions) {
    if (ins.keyword !== "LABEL") continue;
    for (const word of instructionWords(ins.args, dockerfile.escape)) if (word.indexOf("=") > 0) keys.add(word.slice(0, word.indexOf("=")));
  }
  return keys;
}

/**
 * The labels runner-kit adds to the stage that is built: OCI keys the template's own LABEL
 * instructions set are left to the template (it knows its version and title best);
 * `io.runner-kit.*` keys are always runner-kit's. Both builders apply this rule (BuildKit
 * takes the result as the build's `labels` parameter).
 */
export function labelsToAdd(input: string | Dockerfile, labels: Record<string, string>, target?: string): Record<string, string> {
  const dockerfile = asDockerfile(input);
  const own = labelKeys(builtStage(dockerfile, target)?.instructions ?? [], dockerfile);
  return Object.fromEntries(Object.entries(labels).filter(([k]) => k.startsWith("io.runner-kit.") || !own.has(k)));
}

/**
 * The Dockerfile with runner-kit's labels added to the stage that is built (the target,
 * else the last), without an extra build step when possible:
 * - OCI keys the template's own LABEL instructions set are kept (the template knows its
 *   version and title best); `io.runner-kit.*` keys are always runner-kit's;
 * - when the stage already ends with a LABEL, the labels continue that instruction;
 *   otherwise one LABEL instruction is added at the end of the stage.
 * (The classic builder turns the `labels` query parameter into one LABEL step — one
 * container and one commit — per label.)
 */
export function withLabelInstruction(input: string | Dockerfile, labels: Record<string, string>, target?: string): string {
  const dockerfile = asDockerfile(input);
  const { text, escape } = dockerfile;
  const stage = builtStage(dockerfile, target);
  const added = labelsToAdd(dockerfile, labels, target);
  const keys = Object.keys(added).sort();
  if (keys.length === 0) return text;
  const pairs = keys.map((k) => `${quote(k, escape)}=${quote(labels[k]!, escape)}`);
  const lines = text.split("\n");
  const last = stage ? (stage.instructions.at(-1) ?? stage.from) : undefined;
  if (last && last.keyword === "LABEL") {
    const at = last.endLine - 1;
    lines[at] = `${lines[at]!.replace(/\s+$/, "")} ${escape}`;
    lines.splice(at + 1, 0, ...pairs.map((p, i) => `      ${p}${i < pairs.length - 1 ? ` ${escape}` : ""}`));
    return lines.join("\n");
  }
  const instruction = `LABEL ${pairs.join(` ${escape}\n      `)}`;
  const next = last ? dockerfile.instructions[dockerfile.instructions.indexOf(last) + 1] : undefined;
  if (!next) return `${text.replace(/\n*$/, "\n")}${instruction}\n`;
  return [...lines.slice(0, next.line - 1), instruction, ...lines.slice(next.line - 1)].join("\n");
}
