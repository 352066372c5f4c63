import { describe, expect, it } from "vitest";
import { checkDeclaredArgs } from "../../src/project/declared-args-check.js";
import { declaredArgs } from "../../src/dockerfile/declared-args.js";
import { dockerfileBases } from "../../src/dockerfile/from.js";
import { parseDockerfile } from "../../src/dockerfile/parse.js";
import { lintDockerfile } from "../../src/lint/lint.js";
import type { ArgSource, Variant } from "../../src/project/plan.js";

/** Lint, the ARG check and build's base-image reading read one model, so they agree on every Dockerfile. */
function variant(argSources: Record<string, ArgSource>): Variant {
  const args = Object.fromEntries(Object.keys(argSources).map((k) => [k, "9"]));
  return { id: "app", image: "app", template: "t", templateDirs: [], values: {}, args, repository: "r.example.com/app", tags: ["v1"], context: "/x", dockerfile: "/x/Dockerfile", argSources };
}
const fromFlag = (names: string[]) => Object.fromEntries(names.map((n) => [n, { from: "--build-arg" } as ArgSource]));
const rk001 = (text: string) => lintDockerfile(text).filter((f) => f.rule === "RK001").map((f) => `${f.line}: ${f.message}`);

describe("the three readers agree", () => {
  it("ARG A=1 B=2 declares both names", () => {
    const text = "ARG A=1 B=2\nFROM busybox:1.${B}\nARG A=1 B=2\nRUN echo $A $B\nLABEL b=$B\n";
    expect(rk001(text)).toEqual([]);
    const model = parseDockerfile(text);
    expect(declaredArgs(model)).toEqual(["A", "B"]);
    expect(() => checkDeclaredArgs([{ variant: variant(fromFlag(["A", "B"])), dockerfile: model }])).not.toThrow();
    expect(dockerfileBases(model).externalImages).toEqual(["busybox:1.2"]);
    expect(dockerfileBases(model, { B: "36" }).externalImages).toEqual(["busybox:1.36"]);
  });

  it("FROM --platform=$BUILDPLATFORM needs no ARG; inside a stage a platform arg needs one, as in BuildKit", () => {
    const text = "FROM --platform=$BUILDPLATFORM busybox:1 AS build\nARG TARGETARCH\nCOPY app-$TARGETARCH /app\nFROM busybox:1\nCOPY --from=build /app /app\n";
    expect(rk001(text)).toEqual([]);
    const model = parseDockerfile(text);
    expect(model.stages[0]!.platform).toBe("$BUILDPLATFORM");
    expect(dockerfileBases(model).externalImages).toEqual(["busybox:1"]);
    expect(() => checkDeclaredArgs([{ variant: variant(fromFlag(["BUILDPLATFORM", "TARGETARCH"])), dockerfile: model }])).not.toThrow();
    expect(rk001("FROM busybox:1\nCOPY app-$TARGETARCH /app\n")).toEqual([
      "2: $TARGETARCH is one of BuildKit's global platform args, which a stage only sees after ARG TARGETARCH",
    ]);
  });

  it("a global ARG may use the one declared just before it in the same instruction", () => {
    const text = "ARG V=1.36 IMAGE=busybox:${V}\nFROM ${IMAGE}\n";
    expect(rk001(text)).toEqual([]);
    expect(dockerfileBases(text).finalBase).toBe("busybox:1.36");
    expect(dockerfileBases(text, { V: "1.37" }).finalBase).toBe("busybox:1.37");
    expect(rk001("ARG IMAGE=busybox:${V} V=1\nFROM ${IMAGE}\n")).toEqual(["1: ${V} is used before ARG V is declared"]);
  });

  it("a backtick-escaped Dockerfile: continued ARG and FROM lines read the same", () => {
    const text = "# escape=`\nARG BASE=busybox `\n    TAG=\"1 `\"x\"\nFROM ${BASE}:${TAG} `\n    AS Final\nRUN echo a `\n && echo b\n";
    const model = parseDockerfile(text);
    expect(declaredArgs(model)).toEqual(["BASE", "TAG"]);
    expect(dockerfileBases(model).stages).toEqual([{ image: 'busybox:1 "x', alias: "final", line: 4 }]);
    expect(lintDockerfile(model)).toEqual([]);
    expect(() => checkDeclaredArgs([{ variant: variant(fromFlag(["TAG"])), dockerfile: model }])).not.toThrow();
    expect(() => checkDeclaredArgs([{ variant: variant(fromFlag(["TAGS"])), dockerfile: model }])).toThrow(/--build-arg TAGS is not declared by .* which declares ARG BASE, TAG/);
  });
});
