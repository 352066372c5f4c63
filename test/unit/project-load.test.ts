import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunnerKitError } from "../../src/common/errors.js";
import { loadPlan } from "../../src/project/load.js";
import { buildArgLayer, mergeValues, setLayer } from "../../src/template/values.js";
import { makeProject, projectYaml } from "../fixtures/project/make-project.js";

const layered = {
  "templates/t/Dockerfile.hbs": "FROM debian:bookworm\n",
  "templates/t/defaults.yaml": [
    "values: {a: default, b: default, c: default, d: default, nested: {x: 1, y: 1}, list: [1, 2]}",
    "args: {A: default, B: default, C: default, D: default}",
    "",
  ].join("\n"),
  "runner-kit.yaml": [
    "registry: registry.example.com:5000/platform",
    "templates: templates",
    "images:",
    "  app:",
    "    template: t",
    "    values: {b: image, c: image, d: image, nested: {y: 2}, list: [3]}",
    "    args: {B: image, C: image, D: image, N: 1, T: true}",
    '    tags: ["{{args.C}}-{{values.c}}", latest]',
    "    smoke: smoke/app.gitlab-ci.yml#check",
    "    target: final",
    "teams:",
    "  data:",
    "    values: {c: team, d: team}",
    "    args: {C: team, D: team}",
    "    runner: {concurrent: 4}",
    "runner: {concurrent: 2}",
    "",
  ].join("\n"),
};

describe("loadPlan: merge order and variants", () => {
  it("values merge defaults < image < team < --set; build args image < team < --build-arg", async () => {
    const cwd = makeProject(layered);
    const plan = await loadPlan({ cwd, team: "data", set: ["d=set"], buildArgs: ["D=cli"] });
    expect(plan.variants).toHaveLength(1);
    const v = plan.variants[0]!;
    expect(v.values).toEqual({ a: "default", b: "image", c: "team", d: "set", nested: { x: 1, y: 2 }, list: [3] });
    expect(v.args).toEqual({ A: "default", B: "image", C: "team", D: "cli", N: "1", T: "true" });
  });

  it("resolves ids, repositories, Dockerfile paths, contexts, tags, smoke and target", async () => {
    const cwd = makeProject(layered);
    const plan = await loadPlan({ cwd });
    expect(plan.projectFile).toBe(join(cwd, "runner-kit.yaml"));
    expect(plan.rootDir).toBe(cwd);
    expect(plan.runner).toEqual({ concurrent: 2 });
    const [base, team] = plan.variants;
    expect(base).toMatchObject({
      id: "app",
      image: "app",
      template: "t",
      repository: "registry.example.com:5000/platform/app",
      dockerfile: join(cwd, "images", "app", "Dockerfile"),
      context: join(cwd, "images", "app"),
      tags: ["image-image", "latest"],
      target: "final",
      smoke: { file: join(cwd, "smoke", "app.gitlab-ci.yml"), job: "check" },
      templateDirs: [join(cwd, "templates"), expect.stringMatching(/templates$/)],
    });
    expect(base!.team).toBeUndefined();
    expect(base!.runner).toBeUndefined();
    expect(team).toMatchObject({
      id: "data/app",
      team: "data",
      repository: "registry.example.com:5000/platform/data/app",
      dockerfile: join(cwd, "images", "data", "app", "Dockerfile"),
      tags: ["team-team", "latest"],
      runner: { concurrent: 4 },
    });
  });

  it("the team overlay comes first in the lookup chain", async () => {
    const cwd = makeProject({ ...layered, "overlays/data/t/x.hbs": "", "runner-kit.yaml": layered["runner-kit.yaml"].replace("  data:\n", "  data:\n    templates: overlays/data\n") });
    const plan = await loadPlan({ cwd, team: "data" });
    expect(plan.variants[0]!.templateDirs.slice(0, 2)).toEqual([join(cwd, "overlays", "data"), join(cwd, "templates")]);
  });

  it("filters by image and team; a team gets every image unless it lists some", async () => {
    const cwd = makeProject({
      "runner-kit.yaml": projectYaml("  runner-aws: {}", "teams:", "  data:", "    images: [job-base]", "  web: {}"),
    });
    const ids = async (o: Parameters<typeof loadPlan>[0]) => (await loadPlan(o)).variants.map((v) => v.id);
    expect(await ids({ cwd })).toEqual(["job-base", "runner-aws", "data/job-base", "web/job-base", "web/runner-aws"]);
    expect(await ids({ cwd, images: ["runner-aws"] })).toEqual(["runner-aws", "web/runner-aws"]);
    expect(await ids({ cwd, team: "web" })).toEqual(["web/job-base", "web/runner-aws"]);
  });

  it("YAML anchors and merge keys share values between images", async () => {
    const cwd = makeProject({
      "runner-kit.yaml": "registry: r.example.com/p\nimages:\n  job-base:\n    values: &common {packages: [jq], labels: {team: platform}}\n  other:\n    template: job-base\n    values:\n      <<: *common\n      packages: [curl]\n",
    });
    const [, other] = (await loadPlan({ cwd })).variants;
    expect(other!.values).toMatchObject({ packages: ["curl"], labels: { team: "platform" } });
  });

  it("the template defaults to the image name and tags to latest", async () => {
    const cwd = makeProject({ "runner-kit.yaml": "registry: r.example.com/p\nimages:\n  job-base: {}\n" });
    const [v] = (await loadPlan({ cwd })).variants;
    expect(v).toMatchObject({ template: "job-base", tags: ["latest"], args: { JOB_BASE_IMAGE: "debian:bookworm" } });
  });
});

describe("loadPlan: rules across keys", () => {
  const fails = async (files: Record<string, string>, options: Partial<Parameters<typeof loadPlan>[0]> = {}) => {
    const cwd = makeProject(files);
    const error = await loadPlan({ cwd, ...options }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnerKitError);
    expect((error as RunnerKitError).exitCode).toBe(2);
    return error as RunnerKitError;
  };

  it("unknown --team and image names name the valid ones", async () => {
    const files = { "runner-kit.yaml": projectYaml("teams:", "  data: {}") };
    expect((await fails(files, { team: "dta" })).toParagraph()).toMatch(/unknown team "dta" \(did you mean "data"\?\)\. Teams in the project file: "data"/);
    expect((await fails(files, { images: ["job"] })).toParagraph()).toMatch(/unknown image "job".*Images in the project file: "job-base"/);
  });

  it("a team that lists an unknown image is located at the list item", async () => {
    const e = await fails({ "runner-kit.yaml": projectYaml("teams:", "  data:", "    images: [job-bse]") });
    expect(e.message).toContain('team "data" lists unknown image "job-bse" (did you mean "job-base"?)');
    expect(e.where).toMatchObject({ line: 7, column: 14 });
  });

  it("a team may not share an image's name", async () => {
    const e = await fails({ "runner-kit.yaml": projectYaml("teams:", "  job-base: {}") });
    expect(e.message).toContain('team "job-base" has the same name as an image');
  });

  it("missing templates directories and unknown templates are located", async () => {
    const dir = await fails({ "runner-kit.yaml": projectYaml("teams:", "  data:", "    templates: nowhere") });
    expect(dir.where).toMatchObject({ line: 7, column: 16 });
    expect(dir.message).toMatch(/templates directory .*nowhere does not exist/);
    const tpl = await fails({ "runner-kit.yaml": "registry: r.example.com/p\nimages:\n  app:\n    template: job-bas\n" });
    expect(tpl.where).toMatchObject({ line: 4, column: 15 });
    expect(tpl.message).toMatch(/template "job-bas" not found.*did you mean "job-base"/);
  });

  it("a tag that renders to nothing valid, or uses a missing arg, is located at the tag", async () => {
    const bad = await fails({ "runner-kit.yaml": projectYaml('    tags: ["a b"]') });
    expect(bad.message).toContain('renders to "a b", which is not a valid image tag');
    expect(bad.where).toMatchObject({ line: 5, column: 12 });
    const missing = await fails({ "runner-kit.yaml": projectYaml('    tags: ["{{args.NOPE}}"]') });
    expect(missing.message).toMatch(/tag "\{\{args\.NOPE\}\}" cannot be rendered: missing value "args\.NOPE"/);
  });
});

describe("merging and command-line layers", () => {
  it("mappings merge key by key; lists and scalars are replaced; inputs stay untouched", () => {
    const base = { a: { x: 1, y: [1, 2] }, b: 1 };
    const merged = mergeValues(base, { a: { y: [3] }, c: 2 }, undefined, { b: null });
    expect(merged).toEqual({ a: { x: 1, y: [3] }, b: null, c: 2 });
    expect(base).toEqual({ a: { x: 1, y: [1, 2] }, b: 1 });
  });

  it("--set reads values as YAML and dotted keys as paths", () => {
    expect(setLayer(["packages=[jq, curl]", "ecr.credsStore=true", "ecr.n=3", "name=plain text", "empty="])).toEqual({
      packages: ["jq", "curl"],
      ecr: { credsStore: true, n: 3 },
      name: "plain text",
      empty: "",
    });
  });

  it("bad --set and --build-arg syntax are usage errors", () => {
    expect(() => setLayer(["novalue"])).toThrow(/--set expects KEY=VALUE/);
    expect(() => setLayer(["a..b=1"])).toThrow(/not a dotted path/);
    expect(() => setLayer(["__proto__.x=1"])).toThrow(/not a dotted path/);
    expect(() => buildArgLayer(["1BAD=x"])).toThrow(/not a valid build arg name/);
    expect(buildArgLayer(["A=b=c"])).toEqual({ A: "b=c" });
  });
});

describe("builder: in runner-kit.yaml", () => {
  const project = (builder: string) =>
    makeProject({ "templates/app/Dockerfile.hbs": "FROM busybox:1\n", "runner-kit.yaml": `registry: r.example.com/p\nbuilder: ${builder}\ntemplates: templates\nimages:\n  app: {}\n` });

  it("is read with its position", async () => {
    const dir = project("classic");
    expect((await loadPlan({ cwd: dir })).builder).toEqual({ kind: "classic", where: `${join(dir, "runner-kit.yaml")}:2:10: builder: classic` });
  });

  it("accepts only buildkit or classic", async () => {
    const error = await loadPlan({ cwd: project("buildx") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnerKitError);
    expect((error as RunnerKitError).exitCode).toBe(2);
    expect((error as RunnerKitError).toParagraph()).toMatch(/runner-kit\.yaml:2:10/);
  });
});
