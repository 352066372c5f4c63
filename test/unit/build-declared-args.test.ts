import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { declaredArgs, isPredefinedArg } from "../../src/dockerfile/declared-args.js";
import { instructionWords } from "../../src/dockerfile/words.js";
import { checkDeclaredArgs } from "../../src/project/declared-args-check.js";
import { prepareVariants } from "../../src/bake/prepare.js";
import { loadPlan } from "../../src/project/load.js";
import type { ArgSource, Variant } from "../../src/project/plan.js";
import { renderVariant } from "../../src/render/render.js";
import { thrown } from "../support/thrown.js";

const repoRoot = join(import.meta.dirname, "..", "..");

function variant(id: string, argSources: Record<string, ArgSource>): Variant {
  const args = Object.fromEntries(Object.keys(argSources).map((k) => [k, "1"]));
  return { id, image: id, template: "t", templateDirs: [], values: {}, args, repository: `r.example.com/${id}`, tags: ["latest"], context: "/x", dockerfile: "/x/Dockerfile", argSources };
}


describe("declaredArgs", () => {
  it("reads every name of multi-name ARG lines in every stage, across continuations, skipping comment lines", () => {
    const text = [
      "# syntax=docker/dockerfile:1",
      "ARG BASE=debian:bookworm",
      "FROM ${BASE} AS build",
      "arg a b=c \\",
      "# ARG COMMENTED",
      '  D="two words" E=\'x y\'',
      "FROM build",
      "ARG  F",
      "RUN echo ARG G",
      "ARG BASE",
    ].join("\n");
    expect(declaredArgs(text)).toEqual(["BASE", "a", "b", "D", "E", "F"]);
  });

  it("splits words like the Dockerfile parser: quotes group, backslash escapes", () => {
    expect(instructionWords(`A="x y" B='p "q"' C=a\\ b D`)).toEqual(["A=x y", 'B=p "q"', "C=a b", "D"]);
    expect(instructionWords("  ")).toEqual([]);
  });

  it("knows Docker's proxy args in both cases and BuildKit's automatic args", () => {
    for (const name of ["HTTP_PROXY", "https_proxy", "FTP_PROXY", "no_proxy", "ALL_PROXY", "TARGETPLATFORM", "BUILDARCH", "BUILDKIT_INLINE_CACHE", "SOURCE_DATE_EPOCH"]) {
      expect(isPredefinedArg(name), name).toBe(true);
    }
    expect(isPredefinedArg("Http_Proxy")).toBe(false);
    expect(isPredefinedArg("GITLAB_RUNNER_VERSION")).toBe(false);
  });
});

describe("checkDeclaredArgs", () => {
  const dockerfile = "FROM busybox\nARG V\n";

  it("accepts a --build-arg that one of the variants declares, and the predefined args", () => {
    expect(() =>
      checkDeclaredArgs([
        { variant: variant("a", { V: { from: "--build-arg" }, HTTP_PROXY: { from: "--build-arg" }, TARGETARCH: { from: "--build-arg" } }), dockerfile },
        { variant: variant("b", { V: { from: "--build-arg" }, HTTP_PROXY: { from: "--build-arg" }, TARGETARCH: { from: "--build-arg" } }), dockerfile: "FROM busybox\n" },
      ]),
    ).not.toThrow();
  });

  it("refuses a --build-arg no variant declares, naming it, the images and what they declare (exit 2)", () => {
    const error = thrown(() =>
      checkDeclaredArgs([
        { variant: variant("a", { VV: { from: "--build-arg" } }), dockerfile },
        { variant: variant("b", { VV: { from: "--build-arg" } }), dockerfile: "FROM busybox\n" },
      ]),
    );
    expect(error.exitCode).toBe(2);
    expect(error.toParagraph()).toBe(
      '--build-arg VV is not declared by any of the rendered Dockerfiles it is passed to: a declares ARG V; b declares no ARG (all stages), so Docker would ignore it (did you mean "V"?). Check the name (build args are case-sensitive) or add "ARG VV" to the template; only Docker\'s proxy args (HTTP_PROXY and the like) and BuildKit\'s platform args (TARGETPLATFORM and the like) need no ARG.',
    );
  });

  it("refuses an image args: key at its position; template defaults and variants without sources are not checked", () => {
    const where = { file: "/p/runner-kit.yaml", line: 7, column: 13 };
    const error = thrown(() => checkDeclaredArgs([{ variant: variant("app", { X: { from: "image", where, key: "images.app.args" }, T: { from: "template" } }), dockerfile }]));
    expect(error.where).toEqual(where);
    expect(error.message).toBe("build arg X in images.app.args is not declared by the rendered Dockerfile of image app, which declares ARG V (all stages), so Docker would ignore it (did you mean \"V\"?)");
    const plain = { ...variant("app", {}), args: { X: "1" } };
    delete plain.argSources;
    expect(() => checkDeclaredArgs([{ variant: plain, dockerfile }])).not.toThrow();
  });
});

describe("the built-in templates and the README's build args", () => {
  for (const arg of ["RUNNER_BASE_IMAGE=debian:bookworm", "GITLAB_RUNNER_VERSION=v17.4.0", "JOB_BASE_IMAGE=debian:bookworm", "AWS_CLI_VERSION=2.17.0"]) {
    it(`--build-arg ${arg} passes for the repository's project`, async () => {
      const plan = await loadPlan({ cwd: repoRoot, buildArgs: [arg] });
      const prepared = await prepareVariants(plan.variants, renderVariant);
      expect(prepared.map((p) => p.variant.id)).toContain("runner-aws");
    });
  }

  it("a misspelt one is refused with the ARGs of runner-aws and job-base", async () => {
    const plan = await loadPlan({ cwd: repoRoot, buildArgs: ["GITLAB_RUNNER_VERISON=v17.4.0"] });
    await expect(prepareVariants(plan.variants, renderVariant)).rejects.toThrow(
      /--build-arg GITLAB_RUNNER_VERISON is not declared by any of the rendered Dockerfiles it is passed to: runner-aws declares ARG GITLAB_RUNNER_VERSION, RUNNER_BASE_IMAGE, TOOLS_BASE_IMAGE, AWS_CLI_VERSION; job-base declares ARG JOB_BASE_IMAGE.*\(did you mean "GITLAB_RUNNER_VERSION"\?\)/,
    );
  });
});
