import { dockerfileBases } from "./dockerfile-from.js";

/** A LABEL value in double quotes, with what the Dockerfile parser would expand escaped. */
function quote(value: string): string {
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`).replace(/\n/g, " ")}"`;
}

/**
 * The Dockerfile with one LABEL instruction carrying `labels`, at the end of the stage that
 * is built (the target, else the last). The classic builder turns the `labels` query
 * parameter into one LABEL step — one container — per label; a single instruction costs
 * one step.
 */
export function withLabelInstruction(dockerfile: string, labels: Record<string, string>, target?: string): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return dockerfile;
  const instruction = `LABEL ${keys.map((k) => `${quote(k)}=${quote(labels[k]!)}`).join(" \\\n      ")}\n`;
  const { stages } = dockerfileBases(dockerfile, {}, target);
  const index = target === undefined ? -1 : stages.findIndex((s) => s.alias === target.toLowerCase());
  const next = index >= 0 ? stages[index + 1] : undefined;
  if (!next) return `${dockerfile.replace(/\n*$/, "\n")}${instruction}`;
  const lines = dockerfile.split("\n");
  return [...lines.slice(0, next.line - 1), instruction.trimEnd(), ...lines.slice(next.line - 1)].join("\n");
}
