import { describe, expect, it } from "vitest";
import type { RunnerKitError } from "../../src/common/errors.js";
import { parseJob } from "../../src/smoke/job/parse.js";

function refused(yaml: string, job?: string): RunnerKitError {
  try {
    parseJob(yaml, { file: "ci.yml", ...(job ? { job } : {}) });
  } catch (error) {
    return error as RunnerKitError;
  }
  throw new Error("the file was accepted");
}

describe("YAML as GitLab reads it: anchors, merge keys, !reference, duplicate keys", () => {
  it("merges a map through <<: *anchor, the job's own keys winning, without warnings", () => {
    const job = parseJob(
      `.defaults: &defaults\n  image: tools:1\n  variables: { A: from-anchor, B: b }\n  before_script: [echo before]\njob:\n  <<: *defaults\n  variables: { A: own }\n  script: [echo hi]\n`,
      { file: "ci.yml" },
    );
    expect(job.image).toEqual({ name: "tools:1" });
    expect(job.variables).toEqual({ A: "own" });
    expect(job.beforeScript).toEqual(["echo before"]);
    expect(job.warnings).toEqual([]);
  });

  it("merges a list of anchors, the first that has a key winning, and follows plain aliases", () => {
    const job = parseJob(
      `.one: &one { image: first:1, timeout: 10m }\n.two: &two { image: second:1, stage: build }\n.cmds: &cmds [echo a, echo b]\nstages: [build]\njob:\n  <<: [*one, *two]\n  script: *cmds\n`,
      { file: "ci.yml" },
    );
    expect([job.image?.name, job.timeoutSeconds, job.stage, job.script]).toEqual(["first:1", 600, "build", ["echo a", "echo b"]]);
  });

  it("resolves !reference in scripts, variables and image, nested, flattening script lists", () => {
    const job = parseJob(
      [
        ".setup:", "  script: [echo setup-1, echo setup-2]", "  image: { name: ref-image:1 }",
        ".vars:", "  variables: { URL: http://x }",
        ".more:", "  script:", "    - !reference [.setup, script]", "    - echo more",
        "job:", "  image: !reference [.setup, image]",
        "  variables:", "    URL: !reference [.vars, variables, URL]",
        "  script:", "    - !reference [.more, script]", "    - echo own", "",
      ].join("\n"),
      { file: "ci.yml" },
    );
    expect(job.image).toEqual({ name: "ref-image:1" });
    expect(job.variables).toEqual({ URL: "http://x" });
    expect(job.script).toEqual(["echo setup-1", "echo setup-2", "echo more", "echo own"]);
  });

  it("refuses a !reference to nothing, a circular one and one nested deeper than 10 levels, at the tag", () => {
    const missing = refused(`job:\n  script:\n    - !reference [.nope, script]\n`);
    expect(missing.message).toBe("!reference [.nope, script] points to nothing: there is no .nope in this file");
    expect(missing.where).toMatchObject({ file: "ci.yml", line: 3, column: 18 }); // the list the tag is on

    const cycle = refused(`.a:\n  s: !reference [.b, s]\n.b:\n  s: !reference [.a, s]\njob:\n  script: !reference [.a, s]\n`);
    expect(cycle.message).toBe("!reference tags form a cycle");
    expect(cycle.where).toMatchObject({ file: "ci.yml", line: expect.any(Number) });

    const chain = (levels: number) =>
      [...Array.from({ length: levels }, (_, i) => `.l${i}:\n  s: ${i === levels - 1 ? "[echo deep]" : `!reference [.l${i + 1}, s]`}`), "job:\n  script: !reference [.l0, s]\n"].join("\n");
    expect(parseJob(chain(10), { file: "ci.yml", job: "job" }).script).toEqual(["echo deep"]);
    expect(refused(chain(11), "job").message).toBe("!reference tags are nested more than 10 levels deep");
  });

  it("accepts a key written twice, the last one winning, as GitLab does", () => {
    const job = parseJob(`job:\n  image: first:1\n  script: [echo one]\n  image: last:1\n`, { file: "ci.yml" });
    expect(job.image).toEqual({ name: "last:1" });
  });

  it("refuses a merge key that names something other than a map", () => {
    const e = refused(`.s: &s not-a-map\njob:\n  <<: *s\n  script: [echo]\n`);
    expect(e.message).toMatch(/merge key \(<<\) must name a map/);
    expect(e.where).toMatchObject({ line: 3 });
  });
});
