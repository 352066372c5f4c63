import { describe, expect, it } from "vitest";
import { RunnerKitError } from "../../src/common/errors.js";
import { parseJob } from "../../src/smoke/job/parse.js";

function parseError(text: string, job = "test"): RunnerKitError {
  try {
    parseJob(text, { file: "ci.yml", job });
  } catch (error) {
    if (error instanceof RunnerKitError) return error;
    throw error;
  }
  throw new Error("parsed");
}

const SHAPE = "config should be a string or a nested array of strings up to 10 levels deep";

describe("scripts must be strings (GitLab's rule)", () => {
  it("script: 42 is refused at its position, in GitLab's words", () => {
    const error = parseError("test:\n  script: 42\n");
    expect(error.toParagraph()).toMatch(new RegExp(`^ci\\.yml:2:11: jobs:test:script is a number \\(42\\): jobs:test:script ${SHAPE}\\. Quote a command`));
    expect(error.exitCode).toBe(2);
  });

  it("numbers, booleans, nulls and mappings inside (nested) lists are refused", () => {
    expect(parseError("test:\n  script: [echo, 1.5]\n").message).toBe(`an entry of jobs:test:script is a number (1.5): jobs:test:script ${SHAPE}`);
    expect(parseError("test:\n  script: [[echo, [false]]]\n").message).toMatch(/^an entry of jobs:test:script is a boolean \(false\)/);
    expect(parseError("test:\n  script: [echo, null]\n").message).toMatch(/^an entry of jobs:test:script is empty \(null\)/);
    expect(parseError("test:\n  script:\n    - echo a: b\n").where).toMatchObject({ line: 3, column: 7 });
  });

  it("before_script and after_script of the job, default: and the top level are checked too", () => {
    expect(parseError("test:\n  before_script: true\n  script: [x]\n").message).toMatch(/^jobs:test:before_script is a boolean \(true\)/);
    expect(parseError("test:\n  after_script: {a: b}\n  script: [x]\n").message).toMatch(/^jobs:test:after_script is a mapping/);
    // Overridden by the job, but GitLab still refuses the file.
    expect(parseError("default:\n  after_script: [7]\ntest:\n  after_script: [x]\n  script: [x]\n").message).toMatch(/^an entry of default:after_script is a number \(7\)/);
    expect(parseError("before_script: [[1]]\ntest:\n  script: [x]\n").message).toMatch(/^an entry of before_script is a number \(1\)/);
  });

  it("lists nested deeper than 10 levels are refused; up to 10 are flattened", () => {
    const nest = (n: number) => "[".repeat(n) + "echo" + "]".repeat(n);
    expect(parseJob(`test:\n  script: ${nest(10)}\n`, { file: "ci.yml" }).script).toEqual(["echo"]);
    expect(parseError(`test:\n  script: ${nest(11)}\n`).message).toMatch(/is a list nested more than 10 levels deep/);
  });

  it("quoted numbers, a job reached through extends, and an empty before_script still work", () => {
    const job = parseJob('.t:\n  script: ["42", "true"]\ntest:\n  extends: .t\n  before_script:\n', { file: "ci.yml", job: "test" });
    expect(job.script).toEqual(["42", "true"]);
    expect(job.beforeScript).toEqual([]);
    expect(parseError(".t:\n  script: [42]\ntest:\n  extends: .t\n").message).toMatch(/^an entry of jobs:test:script is a number \(42\)/);
  });
});
