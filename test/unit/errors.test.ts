import { describe, expect, it } from "vitest";
import { configError, describeError, ExitCode, failure, interrupted, usageError } from "../../src/common/errors.js";

describe("errors", () => {
  it("maps kinds to the design's exit codes", () => {
    expect(usageError("x").exitCode).toBe(2);
    expect(configError("x").exitCode).toBe(2);
    expect(failure("x").exitCode).toBe(1);
    expect(interrupted("SIGINT").exitCode).toBe(130);
    expect(interrupted("SIGTERM").exitCode).toBe(143);
    expect(ExitCode).toEqual({ ok: 0, failure: 1, usage: 2, interrupted: 130, terminated: 143 });
  });

  it("formats one paragraph: where, what, what to do", () => {
    const err = configError("unknown key 'imgaes'", {
      where: { file: "runner-kit.yaml", line: 3, column: 1 },
      hint: "did you mean 'images'?",
    });
    expect(err.toParagraph()).toBe("runner-kit.yaml:3:1: unknown key 'imgaes'. Did you mean 'images'?");
    expect(err.toParagraph()).not.toContain("\n");
  });

  it("hides stack traces unless --debug", () => {
    const plain = describeError(failure("push failed", { where: "registry 127.0.0.1:5000" }));
    expect(plain.text).toBe("runner-kit: registry 127.0.0.1:5000: push failed.");
    expect(plain.exitCode).toBe(1);
    expect(describeError(failure("push failed"), true).text).toMatch(/\n\s+at /);
  });

  it("reports unexpected errors as internal errors without a stack", () => {
    const out = describeError(new TypeError("x is undefined"));
    expect(out.text).toMatch(/^runner-kit: internal error: x is undefined\. .*--debug/);
    expect(out.text).not.toMatch(/\n\s+at /);
    expect(out.exitCode).toBe(1);
  });
});
