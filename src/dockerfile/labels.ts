import { instructions, type Instruction } from "./from.js";

/** A LABEL value in double quotes, with what the Dockerfile parser would expand escaped. */
function quote(value: string): string {
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`).replace(/\n/g, " ")}"`;
}

/** The instructions of the stage that is built: the target, else the last. */
function builtStage(all: Instruction[], target: string | undefined): Instruction[] {
  const starts = all.flatMap((ins, i) => (/^FROM\s/i.test(ins.text) ? [i] : []));
  let index = starts.length - 1;
  if (target !== undefined) {
    const found = starts.findIndex((i) => new RegExp(`\\sAS\\s+${target.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*$`, "i").test(all[i]!.text));
    if (found >= 0) index = found;
  }
  return index < 0 ? [] : all.slice(starts[index], starts[index + 1] ?? all.length);
}

/** Keys the stage's own LABEL instructions set (approximate: key=value pairs). */
function labelKeys(stage: Instruction[]): Set<string> {
  const keys = new Set<string>();
  for (const ins of stage) {
    if (!/^LABEL\s/i.test(ins.text)) continue;
    for (const m of ins.text.slice(6).matchAll(/(?:^|\s)(?:"([^"]+)"|([^\s="]+))=/g)) keys.add((m[1] ?? m[2])!);
  }
  return keys;
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
export function withLabelInstruction(dockerfile: string, labels: Record<string, string>, target?: string): string {
  const all = instructions(dockerfile);
  const stage = builtStage(all, target);
  const own = labelKeys(stage);
  const keys = Object.keys(labels)
    .filter((k) => k.startsWith("io.runner-kit.") || !own.has(k))
    .sort();
  if (keys.length === 0) return dockerfile;
  const pairs = keys.map((k) => `${quote(k)}=${quote(labels[k]!)}`);
  const lines = dockerfile.split("\n");
  const last = stage.at(-1);
  if (last && /^LABEL\s/i.test(last.text)) {
    const at = last.endLine - 1;
    lines[at] = `${lines[at]!.replace(/\s+$/, "")} \\`;
    lines.splice(at + 1, 0, ...pairs.map((p, i) => `      ${p}${i < pairs.length - 1 ? " \\" : ""}`));
    return lines.join("\n");
  }
  const instruction = `LABEL ${pairs.join(" \\\n      ")}`;
  const next = last ? all[all.indexOf(last) + 1] : undefined;
  if (!next) return `${dockerfile.replace(/\n*$/, "\n")}${instruction}\n`;
  return [...lines.slice(0, next.line - 1), instruction, ...lines.slice(next.line - 1)].join("\n");
}
