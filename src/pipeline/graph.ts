import { checkAcyclic } from "../common/dependency-order.js";

/**
 * Layers of a dependency graph: level 0 has no dependencies, level n depends only on
 * lower levels. A cycle is a configuration error naming it (the build scheduler's check).
 */
export function dependencyLevels(ids: readonly string[], dependsOn: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  checkAcyclic(ids.map((id) => ({ id, dependsOn: [...(dependsOn.get(id) ?? [])] })));
  const levels = new Map<string, number>();
  const visit = (id: string): number => {
    const known = levels.get(id);
    if (known !== undefined) return known;
    let level = 0;
    for (const dep of dependsOn.get(id) ?? []) level = Math.max(level, visit(dep) + 1);
    levels.set(id, level);
    return level;
  };
  for (const id of [...ids].sort()) visit(id);
  return levels;
}

/** Everything an id depends on, directly or not. */
export function transitiveDependencies(id: string, dependsOn: ReadonlyMap<string, readonly string[]>): string[] {
  const seen = new Set<string>();
  const stack = [...(dependsOn.get(id) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(dependsOn.get(next) ?? []));
  }
  return [...seen].sort();
}
