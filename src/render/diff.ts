/**
 * Line-based unified diff (the format `diff -u` and `git diff` print), for the drift check.
 * Longest common subsequence by dynamic programming: rendered Dockerfiles are small.
 */
type Op = { kind: " " | "-" | "+"; text: string };

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function diffOps(a: string[], b: string[]): Op[] {
  if (a.length * b.length > 4_000_000) {
    return [...a.map((text) => ({ kind: "-" as const, text })), ...b.map((text) => ({ kind: "+" as const, text }))];
  }
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] = a[i] === b[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      ops.push({ kind: " ", text: a[i]! });
      i++;
      j++;
    } else if (lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!) ops.push({ kind: "-", text: a[i++]! });
    else ops.push({ kind: "+", text: b[j++]! });
  }
  while (i < a.length) ops.push({ kind: "-", text: a[i++]! });
  while (j < b.length) ops.push({ kind: "+", text: b[j++]! });
  return ops;
}

/** The unified diff from `before` to `after`, or "" when they are equal. */
export function unifiedDiff(before: string, after: string, labels: { from: string; to: string }, context = 3): string {
  if (before === after) return "";
  const ops = diffOps(splitLines(before), splitLines(after));
  const out = [`--- ${labels.from}`, `+++ ${labels.to}`];
  let index = 0;
  while (index < ops.length) {
    const firstChange = ops.findIndex((op, k) => k >= index && op.kind !== " ");
    if (firstChange < 0) break;
    const start = Math.max(index, firstChange - context);
    let end = firstChange;
    // Extend the hunk while changes are within 2×context lines of each other.
    for (let k = firstChange; k < ops.length; k++) {
      if (ops[k]!.kind !== " ") end = k;
      else if (k - end > 2 * context) break;
    }
    const stop = Math.min(ops.length, end + context + 1);
    const hunk = ops.slice(start, stop);
    const aStart = ops.slice(0, start).filter((op) => op.kind !== "+").length;
    const bStart = ops.slice(0, start).filter((op) => op.kind !== "-").length;
    const aCount = hunk.filter((op) => op.kind !== "+").length;
    const bCount = hunk.filter((op) => op.kind !== "-").length;
    out.push(`@@ -${range(aStart, aCount)} +${range(bStart, bCount)} @@`);
    for (const op of hunk) out.push(`${op.kind}${op.text}`);
    index = stop;
  }
  if (out.length === 2) out.push("@@ the files differ only in line endings or the final newline @@");
  return `${out.join("\n")}\n`;
}

function range(start: number, count: number): string {
  return count === 0 ? `${start},0` : count === 1 ? `${start + 1}` : `${start + 1},${count}`;
}
