import { describe, expect, it } from "vitest";
import { RunnerKitError } from "../../src/common/errors.js";
import { loadPlan } from "../../src/project/load.js";
import { setLayer } from "../../src/template/values.js";
import { makeProject } from "../fixtures/project/make-project.js";

const template = { "templates/t/Dockerfile.hbs": "FROM busybox:latest\nARG V\n" };

async function loadError(yaml: string, options: { set?: string[] } = {}): Promise<RunnerKitError> {
  const cwd = makeProject({ ...template, "runner-kit.yaml": yaml });
  const error = await loadPlan({ cwd, ...options }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof RunnerKitError)) throw new Error(`expected a RunnerKitError, got ${String(error)}`);
  return error;
}

/** What setLayer throws for one --set assignment (undefined when it accepts it). */
function setLayerError(text: string): unknown {
  try {
    setLayer([text]);
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("--set values are single-line", () => {
  it("refuses a line feed or carriage return in the value, naming the key (exit 2)", () => {
    for (const text of ["pkg=jq\nRUN evil", "pkg=jq\r\nx", "a.b=x\ry"]) {
      const error = setLayerError(text);
      expect(error, text).toBeInstanceOf(RunnerKitError);
      const key = text.slice(0, text.indexOf("="));
      expect((error as RunnerKitError).message).toBe(`--set ${key}: the value contains a line break, and values given with --set are single-line`);
      expect((error as RunnerKitError).exitCode).toBe(2);
    }
  });

  it("one-line values are read as before", () => {
    expect(setLayer(["pkg=jq", "list=[a, b]", "s=a b"])).toEqual({ pkg: "jq", list: ["a", "b"], s: "a b" });
  });
});

describe("--set values that are broken YAML", () => {
  it("a list, mapping or quoted string that does not close is a usage error naming the key, not a template error", () => {
    for (const [text, key] of [["packages=[jq", "packages"], ["ecr={registries: [a]", "ecr"], ['a.b="open', "a.b"]] as const) {
      const error = setLayerError(text);
      expect(error, text).toBeInstanceOf(RunnerKitError);
      expect((error as RunnerKitError).message).toMatch(new RegExp(`^--set ${key.replace(".", "\\.")}: the value .* is not valid YAML \\(`));
      expect((error as RunnerKitError).exitCode).toBe(2);
    }
  });

  it("a plain word that YAML cannot read stays a string", () => {
    expect(setLayer(["tag=@latest"])).toEqual({ tag: "@latest" });
  });
});

describe("repositories are checked at load", () => {
  const yaml = (registry: string, extra = "") => `registry: ${registry}\ntemplates: templates\nimages:\n  app:\n    template: t\n${extra}`;

  it("a registry path over 255 characters is refused at registry:", async () => {
    const error = await loadError(yaml(`r.example.com/${"a".repeat(256)}`));
    expect(error.where).toMatchObject({ line: 1, column: 11 });
    expect(error.message).toMatch(/^the registry is not a valid repository prefix: invalid image reference ".*": the repository path is 256 characters long; at most 255 are allowed$/);
    expect(error.hint).toMatch(/^shorten the registry path/);
    expect(error.exitCode).toBe(2);
  });

  it("a registry that fits but not with the image name is refused at the image's key", async () => {
    const error = await loadError(yaml(`r.example.com/${"a".repeat(252)}`));
    expect(error.where).toMatchObject({ line: 4, column: 3 });
    expect(error.message).toMatch(/^the repository of image "app" is not valid: .*the repository path is 256 characters long/);
  });

  it("and a team's variant at the team's key", async () => {
    const error = await loadError(yaml(`r.example.com/${"a".repeat(240)}`, `teams:\n  ${"t".repeat(12)}:\n    images: [app]\n`));
    expect(error.where).toMatchObject({ line: 7, column: 3 });
    expect(error.message).toMatch(/^the repository of team "t+"'s variant of image "app" is not valid: .*the repository path is 257 characters long/);
  });

  it("a repository of exactly 255 characters loads, and variants record where their args come from", async () => {
    const cwd = makeProject({ ...template, "runner-kit.yaml": `${yaml(`r.example.com/${"a".repeat(251)}`)}    args: { V: "1" }\n` });
    const plan = await loadPlan({ cwd, buildArgs: ["W=2"] });
    expect(plan.variants[0]!.repository).toBe(`r.example.com/${"a".repeat(251)}/app`);
    expect(plan.variants[0]!.argSources).toEqual({
      V: { from: "image", key: "images.app.args", where: expect.objectContaining({ line: 6, column: 13 }) },
      W: { from: "--build-arg" },
    });
  });
});
