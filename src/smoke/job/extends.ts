/** `extends:` resolved as GitLab resolves it: maps merged deeply, everything else replaced. */
import { isMap } from "yaml";
import { node, type Ctx } from "./yaml-nodes.js";

/** Resolve `extends:` (maps merged deeply, everything else replaced), like GitLab. */
export function resolveExtends(ctx: Ctx, root: unknown, name: string, seen: string[] = []): Record<string, unknown> {
  const jobNode = node(root, name);
  if (!isMap(jobNode)) ctx.fail(jobNode, `"${name}" is not a job (a map of keywords)`);
  const own = jobNode.toJSON() as Record<string, unknown>;
  const ext = own.extends;
  if (ext === undefined) return own;
  const parents = typeof ext === "string" ? [ext] : Array.isArray(ext) ? ext.map(String) : ctx.fail(node(jobNode, "extends"), "extends must be a job name or a list of names");
  let merged: Record<string, unknown> = {};
  for (const parent of parents) {
    if (seen.includes(parent)) ctx.fail(node(jobNode, "extends"), `extends forms a cycle: ${[...seen, name, parent].join(" → ")}`);
    if (node(root, parent) === undefined) ctx.fail(node(jobNode, "extends"), `extends names "${parent}", which is not in this file`, "include: is not followed by smoke; define the template in the same file");
    merged = deepMerge(merged, resolveExtends(ctx, root, parent, [...seen, name]));
  }
  const { extends: _drop, ...rest } = own;
  return deepMerge(merged, rest);
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
