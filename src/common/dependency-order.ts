import { configError } from "./errors.js";

export interface OrderNode {
  id: string;
  /** Ids of nodes that must finish successfully first. */
  dependsOn: string[];
}

/** Throws a configuration error naming the cycle when images build FROM each other in a loop. */
export function checkAcyclic(nodes: OrderNode[]): void {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const state = new Map<string, "visiting" | "done">();
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === "done") return;
    if (state.get(id) === "visiting") {
      const cycle = [...path.slice(path.indexOf(id)), id];
      throw configError(`images build FROM each other in a cycle: ${cycle.join(" → ")}`, {
        hint: "change one of these templates so it no longer starts FROM the other image",
      });
    }
    state.set(id, "visiting");
    for (const dep of byId.get(id)?.dependsOn ?? []) if (byId.has(dep)) visit(dep, [...path, id]);
    state.set(id, "done");
  };
  for (const n of nodes) visit(n.id, []);
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
  checkAcyclic(nodes);
  const ids = new Set(nodes.map((n) => n.id));
  const pending = nodes.map((n) => ({ id: n.id, deps: n.dependsOn.filter((d) => ids.has(d) && d !== n.id) }));
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
