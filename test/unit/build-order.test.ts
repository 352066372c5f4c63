import { describe, expect, it } from "vitest";
import { checkAcyclic, runInOrder } from "../../src/common/dependency-order.js";
import { RunnerKitError } from "../../src/common/errors.js";

function deferred() {
  let resolve!: (ok: boolean) => void;
  const promise = new Promise<boolean>((r) => (resolve = r));
  return { promise, resolve };
}

describe("runInOrder", () => {
  it("starts dependents after their bases, independent ones up to the job limit", async () => {
    const log: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred>>();
    let running = 0;
    let peak = 0;
    const done = runInOrder(
      [
        { id: "app", dependsOn: ["base"] },
        { id: "base", dependsOn: [] },
        { id: "other", dependsOn: [] },
        { id: "third", dependsOn: [] },
      ],
      2,
      {
        run: (id) => {
          running++;
          peak = Math.max(peak, running);
          log.push(`start ${id}`);
          const g = deferred();
          gates.set(id, g);
          return g.promise.finally(() => {
            running--;
            log.push(`end ${id}`);
          });
        },
        blocked: () => {},
      },
    );
    await Promise.resolve();
    expect(log).toEqual(["start base", "start other"]);
    gates.get("other")!.resolve(true);
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual(["start base", "start other", "end other", "start third"]);
    gates.get("base")!.resolve(true);
    await new Promise((r) => setTimeout(r, 0));
    expect(log.at(-1)).toBe("start app");
    gates.get("third")!.resolve(true);
    gates.get("app")!.resolve(true);
    await done;
    expect(peak).toBe(2);
  });

  it("blocks the dependents of a failed image and still runs the rest", async () => {
    const ran: string[] = [];
    const blocked: string[] = [];
    await runInOrder(
      [
        { id: "base", dependsOn: [] },
        { id: "mid", dependsOn: ["base"] },
        { id: "top", dependsOn: ["mid"] },
        { id: "alone", dependsOn: [] },
      ],
      1,
      { run: async (id) => (ran.push(id), id !== "base"), blocked: (id, dep) => void blocked.push(`${id}<-${dep}`) },
    );
    expect(ran).toEqual(["base", "alone"]);
    expect(blocked).toEqual(["mid<-base", "top<-mid"]);
  });

  it("names a cycle as a configuration error", () => {
    const error = (() => {
      try {
        checkAcyclic([
          { id: "a", dependsOn: ["b"] },
          { id: "b", dependsOn: ["c"] },
          { id: "c", dependsOn: ["a"] },
        ]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(RunnerKitError);
    expect((error as RunnerKitError).exitCode).toBe(2);
    expect((error as RunnerKitError).message).toContain("a → b → c → a");
  });
});
