import { describe, expect, it } from "vitest";
import { stepFailureText } from "../../src/builder/step-failure.js";

describe("the text of a failed BuildKit step", () => {
  it("names the step and keeps BuildKit's words", () => {
    expect(stepFailureText({ error: "executor failed running [/bin/sh -c make]: exit code: 2", failedStep: "[2/3] RUN make", tail: [] })).toBe(
      "[2/3] RUN make failed: executor failed running [/bin/sh -c make]: exit code: 2",
    );
  });

  it("says that BuildKit's exit codes 137 and 143 are signals too", () => {
    expect(stepFailureText({ error: "executor failed running [/bin/sh -c sleep 30]: exit code: 137", failedStep: "[2/2] RUN sleep 30", tail: [] })).toMatch(
      /^\[2\/2\] RUN sleep 30 failed: .*exit code: 137 — exit code 137 means the step's process was killed \(SIGKILL\)/,
    );
    expect(stepFailureText({ error: "executor failed running [/bin/sh -c x]: exit code: 143", tail: [] })).toMatch(/terminated \(SIGTERM\)/);
    expect(stepFailureText({ error: "executor failed running [/bin/sh -c x]: exit code: 1370", tail: [] })).not.toMatch(/SIGKILL/);
  });
});
