import type { z } from "zod";
import type { KeyPath } from "./yaml-source.js";

/**
 * Walk a zod (v4) schema along a data path and list the keys an object accepts there —
 * through schemas owned elsewhere (the runner section) as long as they are built from
 * zod's object/record/array/optional/union/pipe/lazy building blocks.
 */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  left?: z.ZodType;
  right?: z.ZodType;
  getter?: () => z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** The schemas a value at `path` may be validated against (several for unions). */
export function schemasAt(root: z.ZodType, path: KeyPath): z.ZodType[] {
  let current = unwrap(root);
  for (const segment of path) {
    const next: z.ZodType[] = [];
    for (const schema of current) {
      const def = defOf(schema);
      if (def.type === "object" && typeof segment === "string" && def.shape?.[segment]) next.push(def.shape[segment]);
      else if (def.type === "record" && def.valueType) next.push(def.valueType);
      else if (def.type === "array" && typeof segment === "number" && def.element) next.push(def.element);
    }
    current = next.flatMap(unwrap);
  }
  return current;
}

/** Keys accepted by the object schema(s) at `path`; empty when it is not an object. */
export function knownKeysAt(root: z.ZodType, path: KeyPath): string[] {
  const keys = new Set<string>();
  for (const schema of schemasAt(root, path)) {
    const def = defOf(schema);
    if (def.type === "object" && def.shape) for (const key of Object.keys(def.shape)) keys.add(key);
  }
  return [...keys].sort();
}

function unwrap(schema: z.ZodType, depth = 0): z.ZodType[] {
  if (depth > 20) return [schema];
  const def = defOf(schema);
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "catch":
    case "readonly":
    case "nonoptional":
      return def.innerType ? unwrap(def.innerType, depth + 1) : [schema];
    case "pipe":
      return def.in ? unwrap(def.in, depth + 1) : [schema];
    case "lazy":
      return def.getter ? unwrap(def.getter(), depth + 1) : [schema];
    case "union":
      return (def.options ?? []).flatMap((o) => unwrap(o, depth + 1));
    case "intersection":
      return [def.left, def.right].flatMap((s) => (s ? unwrap(s, depth + 1) : []));
    default:
      return [schema];
  }
}
