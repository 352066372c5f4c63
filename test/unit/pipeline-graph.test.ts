import { describe, expect, it } from "vitest";
import { RunnerKitError } from "../../src/common/errors.js";
import { dependencyLevels, transitiveDependencies } from "../../src/common/dependency-order.js";

describe("dependency graph", () => {
  const deps = new Map([
    ["runner", ["job-base"]],
    ["data/runner", ["data/job-base"]],
    ["data/job-base", ["job-base"]],
  ]);

  it("puts each image one level above what it builds FROM", () => {
    const levels = dependencyLevels(["runner", "job-base", "data/runner", "data/job-base", "lonely"], deps);
    expect(Object.fromEntries(levels)).toEqual({ "job-base": 0, runner: 1, "data/job-base": 1, "data/runner": 2, lonely: 0 });
  });

  it("names a cycle", () => {
    const cyclic = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]]]);
    const error = (() => {
      try {
        dependencyLevels(["a", "b", "c"], cyclic);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(RunnerKitError);
    expect((error as RunnerKitError).message).toBe("images build FROM each other in a cycle: a → b → c → a");
  });

  it("lists transitive dependencies", () => {
    expect(transitiveDependencies("data/runner", deps)).toEqual(["data/job-base", "job-base"]);
    expect(transitiveDependencies("job-base", deps)).toEqual([]);
  });
});
