import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startTrace, stopTrace, traceEnabled, traceMark } from "../../src/common/trace.js";
import { listContextFiles } from "../../src/builder/context-files.js";

afterEach(() => stopTrace());

describe("the process's phase trace (RUNNER_KIT_TRACE)", () => {
  it("is off unless RUNNER_KIT_TRACE is set to something other than 0", () => {
    expect(traceEnabled({})).toBe(false);
    expect(traceEnabled({ RUNNER_KIT_TRACE: "" })).toBe(false);
    expect(traceEnabled({ RUNNER_KIT_TRACE: "0" })).toBe(false);
    expect(traceEnabled({ RUNNER_KIT_TRACE: "1" })).toBe(true);
    expect(startTrace({})).toBeUndefined();
    traceMark("nobody records this");
    expect(startTrace({ RUNNER_KIT_TRACE: "1" })!.lines().join("\n")).not.toContain("nobody records this");
  });

  it("records marks made anywhere in the process once started, in order, with times since the process started", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rk-trace-"));
    try {
      mkdirSync(join(dir, "sub"));
      writeFileSync(join(dir, "sub", "a.txt"), "a");
      writeFileSync(join(dir, "b.skip"), "b");
      writeFileSync(join(dir, ".dockerignore"), "*.skip\n");
      const tracer = startTrace({ RUNNER_KIT_TRACE: "1" })!;
      expect(startTrace({ RUNNER_KIT_TRACE: "1" })).toBe(tracer);
      traceMark("before the walk");
      await listContextFiles(dir);
      const lines = tracer.lines();
      expect(lines[0]).toMatch(/^ +\d+\.\d ms {2}node bootstrap done$/);
      expect(lines.slice(1).map((l) => l.replace(/^ +\d+\.\d ms {2}/, ""))).toEqual(["before the walk", `context walked: 3 entries, 1 excluded (${dir})`]);
      const times = lines.map((l) => Number(/^ *([\d.]+) ms/.exec(l)![1]));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
