import { configError } from "./errors.js";

export interface OrderNode {
  id: string;
  /** Ids of nodes that must finish successfully first. */
  dependsOn: string[];
}

/** Which images build FROM which: validated, with the questions the build and the pipeline ask of it. */
export interface DependencyGraph {
  /** The node ids, in input order. */
  readonly ids: readonly string[];
  /** Direct dependencies of a node that are nodes of the graph (itself excluded). */
  dependsOn(id: string): readonly string[];
  /** Level 0 has no dependencies, level n depends only on lower levels. */
  levels(): Map<string, number>;
  /** Everything a node depends on, directly or not, sorted. */
  transitive(id: string): string[];
}

function cycleError(cycle: string[]) {
  return configError(`images build FROM each other in a cycle: ${cycle.join(" → ")}`, {
    hint: "change one of these templates so it no longer starts FROM the other image",
  });
}

/**
 * The one dependency graph of the project's images, shared by the build scheduler and the
 * pipeline generator. A cycle is a configuration error naming it; edges to ids outside
 * the graph (and to a node itself) are left out.
 */
export function dependencyGraph(nodes: readonly OrderNode[]): DependencyGraph {
  const ids = nodes.map((n) => n.id);
  const known = new Set(ids);
  const edges = new Map(nodes.map((n) => [n.id, [...new Set(n.dependsOn)].filter((d) => known.has(d) && d !== n.id)]));
  const dependsOn = (id: string): readonly string[] => edges.get(id) ?? [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === "done") return;
    if (state.get(id) === "visiting") throw cycleError([...path.slice(path.indexOf(id)), id]);
    state.set(id, "visiting");
    for (const dep of dependsOn(id)) visit(dep, [...path, id]);
    state.set(id, "done");
  };
  for (const id of ids) visit(id, []);
  return {
    ids,
    dependsOn,
    levels() {
      const levels = new Map<string, number>();
      const level = (id: string): number => {
        const found = levels.get(id);
        if (found !== undefined) return found;
        const own = Math.max(0, ...dependsOn(id).map((dep) => level(dep) + 1));
        levels.set(id, own);
        return own;
      };
      for (const id of [...ids].sort()) level(id);
      return levels;
    },
    transitive(id) {
      const seen = new Set<string>();
      const stack = [...dependsOn(id)];
      while (stack.length > 0) {
        const next = stack.pop()!;
        if (seen.has(next)) continue;
        seen.add(next);
        stack.push(...dependsOn(next));
      }
      return [...seen].sort();
    },
  };
}

/** Throws a configuration error naming the cycle when images build FROM each other in a loop. */
export function checkAcyclic(nodes: OrderNode[]): void {
  dependencyGraph(nodes);
}

/** The graph's nodes from a map of edges (the pipeline generator's form). */
function fromMap(ids: readonly string[], dependsOn: ReadonlyMap<string, readonly string[]>): DependencyGraph {
  return dependencyGraph(ids.map((id) => ({ id, dependsOn: [...(dependsOn.get(id) ?? [])] })));
}

/** Layers of the dependency graph (see DependencyGraph.levels). */
export function dependencyLevels(ids: readonly string[], dependsOn: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  return fromMap(ids, dependsOn).levels();
}

/** Everything an id depends on, directly or not (see DependencyGraph.transitive). */
export function transitiveDependencies(id: string, dependsOn: ReadonlyMap<string, readonly string[]>): string[] {
  const ids = new Set([id, ...dependsOn.keys()]);
  for (const deps of dependsOn.values()) for (const dep of deps) ids.add(dep);
  return fromMap([...ids], dependsOn).transitive(id);
}

export interface ScheduleCallbacks {
  /** Do the work; resolve true on success, false on failure. */
  run(id: string): Promise<boolean>;
  /** A node that will not run because a dependency failed. */
  blocked(id: string, failedDependency: string): void;
}

/**
 * Run nodes in dependency order, independent ones concurrently up to `jobs`, in input
 * order where there is a choice. A node whose dependency failed is reported as blocked and
 * not run; everything else still runs to the end.
 */
export async function runInOrder(nodes: OrderNode[], jobs: number, callbacks: ScheduleCallbacks): Promise<void> {
  const graph = dependencyGraph(nodes);
  const pending = graph.ids.map((id) => ({ id, deps: graph.dependsOn(id) }));
  const result = new Map<string, boolean>();
  const limit = Math.max(1, Math.floor(jobs));
  let running = 0;

  return new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      // Settle nodes that can no longer run.
      let changed = true;
      while (changed) {
        changed = false;
        for (let i = 0; i < pending.length; i++) {
          const node = pending[i]!;
          const failed = node.deps.find((d) => result.get(d) === false);
          if (failed !== undefined) {
            pending.splice(i, 1);
            result.set(node.id, false);
            callbacks.blocked(node.id, failed);
            changed = true;
            break;
          }
        }
      }
      for (let i = 0; i < pending.length && running < limit; ) {
        const node = pending[i]!;
        if (!node.deps.every((d) => result.get(d) === true)) {
          i++;
          continue;
        }
        pending.splice(i, 1);
        running++;
        callbacks.run(node.id).then(
          (ok) => {
            running--;
            result.set(node.id, ok);
            pump();
          },
          (error: unknown) => reject(error),
        );
      }
      if (running === 0 && pending.length === 0) resolve();
    };
    pump();
  });
}
