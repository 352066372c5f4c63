import { describe, expect, it } from "vitest";
import { expandValue, resolveVariables } from "../../src/smoke/job/variables.js";

const vars: Record<string, string> = { A: "1", ENV: "prod", URL_prod: "https://prod", "A-def": "never" };
const expand = (text: string) => expandValue(text, (name) => vars[name]);

describe("expandValue: one pass of Go's os.Expand with GitLab Runner's mapping", () => {
  it.each([
    ["${URL_${ENV}}", "}"], // the name is "URL_${ENV": unknown, then a literal "}"
    ["$A ${A} $$A $NOPE.", "1 1 $A ."],
    ["$1 ${1} $? $* $# $@ $! $0", "$1 $1 $? $* $# $@ $! $0"],
    ["${}x", "x"],
    ["${A", "A"],
    ["a$", "a$"],
    ["$ b", "$ b"],
    ["${A-def}", "never"],
    ["$-x", "x"],
    ["$A.b_$A_", "1.b_"],
    ["no dollar", "no dollar"],
  ])("%s → %s", (text, expected) => {
    expect(expand(text)).toBe(expected);
  });

  it("is one pass: a value that expands to $NAME is not expanded again", () => {
    expect(expandValue("$A", (n) => ({ A: "$B", B: "b" })[n])).toBe("$B");
  });

  it("still resolves variables that refer to each other (each value expanded against the others' resolved values)", () => {
    expect(resolveVariables({ URL: "${URL_${ENV}}", ENV: "prod", URL_prod: "x", A: "$B/$$", B: "b" })).toMatchObject({ URL: "}", A: "b/$" });
  });
});
