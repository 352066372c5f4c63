import { describe, expect, it } from "vitest";
import { z } from "zod";
import { RunnerKitError } from "../../src/common/errors.js";
import { loadPlan } from "../../src/project/load.js";
import { editDistance, nearest } from "../../src/common/nearest.js";
import { schemaError, schemaProblems } from "../../src/common/schema-errors.js";
import { knownKeysAt } from "../../src/common/schema-keys.js";
import { parseYamlSource } from "../../src/common/yaml-source.js";
import { makeProject } from "../fixtures/project/make-project.js";

async function loadError(yaml: string): Promise<RunnerKitError> {
  const cwd = makeProject({ "runner-kit.yaml": yaml });
  const error = await loadPlan({ cwd }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RunnerKitError);
  return error as RunnerKitError;
}

describe("project file schema errors: file, line, column, key path, nearest key", () => {
  it("an unknown top-level key names the nearest valid one at the key's position", async () => {
    const e = await loadError("registry: r.example.com/p\nimags:\n  job-base: {}\n");
    expect(e.kind).toBe("config");
    expect(e.where).toMatchObject({ line: 2, column: 1 });
    expect((e.where as { file: string }).file).toMatch(/runner-kit\.yaml$/);
    expect(e.message).toContain('unknown key "imags" in (top level) (did you mean "images"?)');
    expect(e.toParagraph()).toMatch(/runner-kit\.yaml:2:1: /);
  });

  it("an unknown key deep in an image entry gives the full key path", async () => {
    const e = await loadError("registry: r.example.com/p\nimages:\n  job-base:\n    template: job-base\n    tgas: [x]\n");
    expect(e.where).toMatchObject({ line: 5, column: 5 });
    expect(e.message).toContain('unknown key "tgas" in images.job-base (did you mean "tags"?)');
  });

  it("an unknown key with no near match lists the valid keys", async () => {
    const e = await loadError("registry: r.example.com/p\nimages:\n  job-base:\n    zzzzzzzz: 1\n");
    expect(e.message).toMatch(/unknown key "zzzzzzzz" in images\.job-base; valid keys here: "args", "cache", "context",.*"template"/);
  });

  it("an unknown key in a team entry", async () => {
    const e = await loadError("registry: r.example.com/p\nimages:\n  job-base: {}\nteams:\n  data:\n    valeus: {}\n");
    expect(e.where).toMatchObject({ line: 6, column: 5 });
    expect(e.message).toContain('unknown key "valeus" in teams.data (did you mean "values"?)');
  });

  it("a missing required key points at the mapping that lacks it", async () => {
    const e = await loadError("images:\n  job-base: {}\n");
    expect(e.message).toContain('missing required key "registry" in (top level)');
    expect(e.where).toMatchObject({ line: 1, column: 1 });
  });

  it("a wrong type names what was expected and what was found, at the value", async () => {
    const e = await loadError("registry: r.example.com/p\nimages:\n  job-base:\n    tags: latest\n");
    expect(e.message).toContain('images.job-base.tags: expected a list, got a string ("latest")');
    expect(e.where).toMatchObject({ line: 4, column: 11 });
  });

  it("a list item of the wrong type is located by index", async () => {
    const e = await loadError("registry: r.example.com/p\nimages:\n  job-base:\n    tags:\n      - ok\n      - {a: 1}\n");
    expect(e.message).toContain("images.job-base.tags[1]: expected a string, got a mapping");
    expect(e.where).toMatchObject({ line: 6, column: 9 });
  });

  it("an invalid image name (record key) is reported at the key", async () => {
    const e = await loadError("registry: r.example.com/p\nimages:\n  Job_Base!: {}\n");
    expect(e.message).toMatch(/images\.Job_Base!: invalid key "Job_Base!": image names must be lowercase/);
    expect(e.where).toMatchObject({ line: 3, column: 3 });
  });

  it("a template name is a directory name, never a path", async () => {
    const e = await loadError("registry: r.example.com/p\nimages:\n  job-base:\n    template: ../../etc\n");
    expect(e.message).toContain("images.job-base.template: template names are letters, digits, . _ and -");
    expect(e.where).toMatchObject({ line: 4, column: 15 });
  });

  it("a build arg that is a mapping is rejected with its path", async () => {
    const e = await loadError("registry: r.example.com/p\nimages:\n  job-base:\n    args:\n      X: {a: 1}\n");
    expect(e.message).toContain("images.job-base.args.X");
    expect(e.where).toMatchObject({ line: 5, column: 10 });
  });

  it("an invalid registry explains the expected form", async () => {
    const e = await loadError("registry: https://r.example.com/\nimages:\n  job-base: {}\n");
    expect(e.message).toContain("registry must look like host[:port][/path]");
    expect(e.where).toMatchObject({ line: 1, column: 11 });
  });

  it("several problems: the first in full, the others briefly, all in details", async () => {
    const e = await loadError("regstry: x\nimages:\n  job-base:\n    tempalte: job-base\n");
    expect(e.where).toMatchObject({ line: 1 });
    expect(e.message).toContain("; also ");
    expect(e.message).toContain('"tempalte"');
    // "regstry" explains the missing "registry": reported once, as the typo.
    expect(e.message).not.toContain("missing required key");
    expect((e.details?.problems as unknown[]).length).toBe(2);
  });

  it("YAML syntax errors and duplicate keys are config errors with a position", async () => {
    const dup = await loadError("registry: a.example.com/p\nregistry: b.example.com/p\nimages: {}\n");
    expect(dup.message).toMatch(/invalid YAML: .*unique/i);
    expect(dup.where).toMatchObject({ line: 2, column: 1 });
    const bad = await loadError("registry: [unclosed\nimages: {}\n");
    expect(bad.message).toMatch(/invalid YAML/);
    expect(bad.where).toMatchObject({ line: expect.any(Number) });
  });

  it("a top-level runner section must be a mapping (the runner schema is embedded)", async () => {
    const e = await loadError("registry: r.example.com/p\nimages:\n  job-base: {}\nrunner: [1]\n");
    expect(e.message).toContain("runner: expected a mapping, got a list");
    expect(e.where).toMatchObject({ line: 4, column: 9 });
  });

  it("a missing project file says how to create one", async () => {
    const cwd = makeProject({});
    const e = (await loadPlan({ cwd }).catch((x: unknown) => x)) as RunnerKitError;
    expect(e.toParagraph()).toMatch(/no project file here\. Run `runner-kit init`/);
  });
});

describe("errors through nested schemas owned elsewhere", () => {
  // Stands in for the runner room's strict section: an object inside an object inside a union.
  const runnerLike = z.object({ concurrent: z.number().optional(), docker: z.object({ image: z.string(), privileged: z.boolean().optional() }).strict().optional() }).strict();
  const root = z.object({ registry: z.string(), runner: runnerLike.optional(), teams: z.record(z.string(), z.object({ runner: runnerLike.optional() }).strict()).optional() }).strict();

  it("knows the keys at any depth", () => {
    expect(knownKeysAt(root, ["runner", "docker"])).toEqual(["image", "privileged"]);
    expect(knownKeysAt(root, ["teams", "data", "runner"])).toEqual(["concurrent", "docker"]);
  });

  it("places an unknown nested key and suggests the nearest one", () => {
    const source = parseYamlSource("/p/runner-kit.yaml", "registry: x\nteams:\n  data:\n    runner:\n      docker:\n        image: a\n        privilegd: true\n");
    const parsed = root.safeParse(source.data);
    expect(parsed.success).toBe(false);
    const problems = schemaProblems(source, root, parsed.error!.issues);
    expect(problems[0]).toMatchObject({ where: { line: 7, column: 9 }, message: 'unknown key "privilegd" in teams.data.runner.docker (did you mean "privileged"?)' });
    expect(schemaError(source, problems).toParagraph()).toMatch(/^\/p\/runner-kit\.yaml:7:9: unknown key/);
  });
});

describe("nearest key", () => {
  it("edit distance counts insertions, deletions and substitutions", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("same", "same")).toBe(0);
  });
  it("suggests only plausible typos", () => {
    expect(nearest("regsitry", ["registry", "images"])).toBe("registry");
    expect(nearest("xyz", ["registry", "images"])).toBeUndefined();
  });
});
