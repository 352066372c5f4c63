import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkSecrets, parseSecretFlag, parseSecretFlags, runSecrets, secretSources } from "../../src/bake/build-secrets.js";
import { runCache } from "../../src/bake/run-cache.js";
import { RunnerKitError } from "../../src/common/errors.js";
import { loadPlan } from "../../src/project/load.js";
import type { Variant } from "../../src/project/plan.js";
import { makeProject, projectYaml } from "../fixtures/project/make-project.js";

const caught = (f: () => unknown): RunnerKitError => {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(RunnerKitError);
    return error as RunnerKitError;
  }
  throw new Error("expected an error");
};

async function loadError(yaml: string): Promise<RunnerKitError> {
  const error = await loadPlan({ cwd: makeProject({ "runner-kit.yaml": yaml }) }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RunnerKitError);
  return error as RunnerKitError;
}

describe("--secret in docker's forms", () => {
  const cwd = "/work/project";
  it("reads id with src, source, env and type, files relative to the current directory", () => {
    expect(parseSecretFlag("id=npmrc,src=.npmrc", cwd, {})).toEqual(["npmrc", { file: "/work/project/.npmrc", where: "--secret id=npmrc,src=.npmrc" }]);
    expect(parseSecretFlag("id=npmrc,source=/abs/npmrc,type=file", cwd, {})[1]).toMatchObject({ file: "/abs/npmrc" });
    expect(parseSecretFlag("id=token,env=CI_TOKEN", cwd, {})[1]).toMatchObject({ env: "CI_TOKEN" });
    expect(parseSecretFlag("type=env,id=token,src=CI_TOKEN", cwd, {})[1]).toMatchObject({ env: "CI_TOKEN" });
    expect(parseSecretFlag("ID=token,ENV=CI_TOKEN", cwd, {})[1]).toMatchObject({ env: "CI_TOKEN" });
  });

  it("with neither src nor env: the variable named like the id when set, else the file named like the id", () => {
    expect(parseSecretFlag("id=TOKEN", cwd, { TOKEN: "x" })[1]).toMatchObject({ env: "TOKEN" });
    expect(parseSecretFlag("id=TOKEN", cwd, {})[1]).toMatchObject({ file: "/work/project/TOKEN" });
    expect(parseSecretFlag("type=env,id=TOKEN", cwd, {})[1]).toMatchObject({ env: "TOKEN" });
  });

  it("refuses a missing id, an unknown field or type, and both a file and a variable, as usage errors", () => {
    for (const [flag, message] of [
      ["src=.npmrc", /needs id=ID/],
      ["id=x,path=y", /"path=y" is not one of id=ID, src=FILE, env=VAR, type=file\|env/],
      ["id=x,type=ssh", /type=ssh is not file or env/],
      ["id=x,src=f,env=V", /not both/],
      ["id=bad/id,src=f", /needs id=ID/],
    ] as const) {
      const e = caught(() => parseSecretFlag(flag, cwd, {}));
      expect(e.exitCode).toBe(2);
      expect(e.message).toMatch(message);
    }
  });

  it("a later flag with the same id wins; the flags win over the variant's own secrets; a builder gets only the sources", () => {
    const flags = parseSecretFlags(["id=a,src=one", "id=a,src=two"], cwd, {});
    expect(flags.a).toMatchObject({ file: "/work/project/two" });
    const variant = { secrets: { a: { env: "A", where: "runner-kit.yaml:5:7" }, b: { env: "B", where: "runner-kit.yaml:6:7" } } } as unknown as Variant;
    const merged = runSecrets(variant, flags);
    expect(secretSources(merged)).toEqual({ a: { file: "/work/project/two" }, b: { env: "B" } });
  });
});

describe("checking secrets before anything builds", () => {
  it("an unset variable or a missing file is a configuration error naming the id and where it was given; nothing is read", () => {
    const dir = makeProject({ "present.txt": "value" });
    const variant = (secrets: Variant["secrets"]) => ({ secrets }) as unknown as Variant;
    expect(() => checkSecrets([variant({ ok: { file: join(dir, "present.txt"), where: "x" }, env: { env: "SET", where: "y" } })], {}, { SET: "" })).not.toThrow();

    const unset = caught(() => checkSecrets([variant({ token: { env: "RK_UNSET", where: "runner-kit.yaml:7:9 (images.app.secrets.token)" } })], {}, {}));
    expect(unset.exitCode).toBe(2);
    expect(unset.toParagraph()).toMatch(/^runner-kit\.yaml:7:9 \(images\.app\.secrets\.token\): the build secret "token" comes from the environment variable RK_UNSET, which is not set/);

    const flags = parseSecretFlags(["id=npmrc,src=nope.txt"], dir, {});
    const missing = caught(() => checkSecrets([variant(undefined)], flags, {}));
    expect(missing.toParagraph()).toContain(`--secret id=npmrc,src=nope.txt: the build secret "npmrc" comes from the file ${join(dir, "nope.txt")}, which does not exist or is not a file`);
    // A folder is not a secret file.
    expect(() => checkSecrets([variant({ d: { file: dir, where: "z" } })], {}, {})).toThrow(/does not exist or is not a file/);
  });
});

describe("secrets: and cache: in runner-kit.yaml", () => {
  it("resolve per variant: files relative to the project file, the team's secrets and cache keys over the image's", async () => {
    const cwd = makeProject({
      "runner-kit.yaml": projectYaml(
        "    secrets:",
        "      npmrc: { file: secrets/npmrc }",
        "      token: { env: IMAGE_TOKEN }",
        "    cache: { from: [registry.example.com/platform/job-base:latest], inline: true }",
        "teams:",
        "  data:",
        "    secrets:",
        "      token: { env: DATA_TOKEN }",
        "    cache: { from: [registry.example.com/platform/data/job-base:latest] }",
      ),
    });
    const plan = await loadPlan({ cwd });
    const [base, data] = plan.variants;
    expect(base!.secrets).toEqual({
      npmrc: { file: join(cwd, "secrets/npmrc"), where: `${join(cwd, "runner-kit.yaml")}:6:7 (images.job-base.secrets.npmrc)` },
      token: { env: "IMAGE_TOKEN", where: `${join(cwd, "runner-kit.yaml")}:7:7 (images.job-base.secrets.token)` },
    });
    expect(base!.cache).toEqual({ from: ["registry.example.com/platform/job-base:latest"], inline: true });
    expect(data!.secrets?.token).toMatchObject({ env: "DATA_TOKEN", where: expect.stringContaining("(teams.data.secrets.token)") });
    expect(data!.secrets?.npmrc).toMatchObject({ file: join(cwd, "secrets/npmrc") });
    expect(data!.cache).toEqual({ from: ["registry.example.com/platform/data/job-base:latest"], inline: true });
  });

  it("a typo in a secret or cache key names the nearest key at its position", async () => {
    const secret = await loadError(projectYaml("    secrets:", "      npmrc: { fil: .npmrc }"));
    expect(secret.exitCode).toBe(2);
    expect(secret.where).toMatchObject({ line: 6, column: 16 });
    expect(secret.message).toContain('unknown key "fil" in images.job-base.secrets.npmrc (did you mean "file"?)');
    const cache = await loadError(projectYaml("    cache: { form: [x] }"));
    expect(cache.message).toContain('unknown key "form" in images.job-base.cache (did you mean "from"?)');
  });

  it("a secret with both or neither source, a bad id and a bad cache ref are errors at their position", async () => {
    const both = await loadError(projectYaml("    secrets:", "      npmrc: { file: a, env: B }"));
    expect(both.message).toContain("images.job-base.secrets.npmrc: a secret comes from exactly one of file: PATH or env: VAR");
    expect(both.where).toMatchObject({ line: 6 });
    const neither = await loadError(projectYaml("    secrets:", "      npmrc: {}"));
    expect(neither.message).toContain("exactly one of file: PATH or env: VAR");
    const id = await loadError(projectYaml("    secrets:", "      'bad id': { env: X }"));
    expect(id.message).toMatch(/secret ids are letters, digits/);
    const ref = await loadError(projectYaml("    cache: { from: ['Not A Ref'] }"));
    expect(ref.message).toContain("images.job-base.cache.from[0]: not an image reference");
  });
});

describe("a run's registry cache", () => {
  const variant = (cache?: Variant["cache"]) => ({ ...(cache ? { cache } : {}) }) as Variant;
  it("the command line's refs after the variant's own, without duplicates; --cache-inline turns inline on", () => {
    expect(runCache(variant())).toBeUndefined();
    expect(runCache(variant({ from: ["r/a:latest"], inline: false }), ["r/b:latest", "r/a:latest"])).toEqual({ from: ["r/a:latest", "r/b:latest"], inline: false });
    expect(runCache(variant(), [], true)).toEqual({ from: [], inline: true });
    expect(runCache(variant({ from: [], inline: true }))).toEqual({ from: [], inline: true });
  });
});
