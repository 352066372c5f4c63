import { describe, expect, it } from "vitest";
import { stepFailureText } from "../../src/builder/step-failure.js";

describe("the text of a failed build step", () => {
  it("keeps the daemon's words and names the step", () => {
    expect(stepFailureText({ error: "The command '/bin/sh -c false' returned a non-zero code: 1", failedStep: "Step 2/3 : RUN false", tail: [] })).toBe(
      "step 2/3 : RUN false failed: The command '/bin/sh -c false' returned a non-zero code: 1",
    );
  });

  it("says that 137 and 143 are signals, not the command's own failure", () => {
    const killed = stepFailureText({ error: "The command '/bin/sh -c sleep 30' returned a non-zero code: 137", failedStep: "Step 2/2 : RUN sleep 30", tail: [] });
    expect(killed).toMatch(/^step 2\/2 : RUN sleep 30 failed: .* 137 — exit code 137 means the step's process was killed \(SIGKILL\)/);
    expect(killed).toMatch(/Docker daemon stopped or restarted/);
    expect(stepFailureText({ error: "The command '/bin/sh -c x' returned a non-zero code: 143", tail: [] })).toMatch(/terminated \(SIGTERM\)/);
    expect(stepFailureText({ error: "The command '/bin/sh -c x' returned a non-zero code: 1370", tail: [] })).not.toMatch(/SIGKILL/);
  });

  it("says when the daemon gave no image id", () => {
    expect(stepFailureText({ tail: [] })).toBe("the daemon reported no image id");
  });
});
