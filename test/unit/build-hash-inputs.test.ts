import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { declaredOnly, undeclaredBuildArgs, withProjectBuildArgs } from "../../src/bake/build-arg-scope.js";
import { prepareVariants } from "../../src/bake/prepare.js";
import { RunnerKitError } from "../../src/common/errors.js";
import { declaredArgs } from "../../src/dockerfile/declared-args.js";
import { loadPlan } from "../../src/project/load.js";
import type { ArgSource, Variant } from "../../src/project/plan.js";
import { renderVariant } from "../../src/render/render.js";

const repoRoot = join(import.meta.dirname, "..", "..");

let dir: string;
beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), "rk-hash-inputs-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A variant whose context is `dir` and whose rendered Dockerfile would be written into it (the default context). */
function variant(id: string, args: Record<string, string>, sources: Record<string, ArgSource> = {}): Variant {
  return { id, image: id, template: id, templateDirs: [], values: {}, args, repository: `r.example.com/${id}`, tags: ["v1"], context: dir, dockerfile: join(dir, "Dockerfile"), argSources: sources };
}

const hashOf = async (v: Variant, dockerfile: string) => (await prepareVariants([v], async () => dockerfile))[0]!.contentHash;

describe("content hash inputs", () => {
  const declaring = "FROM busybox\nARG X\nRUN echo $X\n";
  const plain = "FROM busybox\nRUN true\n";

  it("takes only the build args the variant's Dockerfile declares", async () => {
    writeFileSync(join(dir, "motd"), "hello\n");
    expect(await hashOf(variant("app", { X: "1" }), plain)).toBe(await hashOf(variant("app", {}), plain));
    expect(await hashOf(variant("app", { X: "1" }), declaring)).not.toBe(await hashOf(variant("app", { X: "2" }), declaring));
    expect(declaredOnly({ X: "1", Y: "2", HTTP_PROXY: "p" }, ["Y"])).toEqual({ Y: "2" });
  });

  it("hashes the rendered Dockerfile as the Dockerfile, not again as a file of the context that holds it", async () => {
    writeFileSync(join(dir, "motd"), "hello\n");
    const before = await hashOf(variant("app", {}), plain);
    writeFileSync(join(dir, "Dockerfile"), `# rendered\n${plain}`);
    expect(await hashOf(variant("app", {}), plain)).toBe(before);
    // A context file beside it still counts.
    writeFileSync(join(dir, "motd"), "changed\n");
    expect(await hashOf(variant("app", {}), plain)).not.toBe(before);
    // And so does the Dockerfile's text.
    expect(await hashOf(variant("app", {}), `${plain}RUN false\n`)).not.toBe(before);
  });
});

describe("the builder, the cache settings and the secret ids in the hash", () => {
  const plain = "FROM busybox\nRUN true\n";
  const hash = async (v: Variant, options: Parameters<typeof prepareVariants>[2] = {}) => (await prepareVariants([v], async () => plain, options))[0]!.contentHash;

  it("another builder is another hash", async () => {
    const v = variant("app", {});
    expect(await hash(v, { builder: "buildkit" })).not.toBe(await hash(v, { builder: "classic" }));
    expect(await hash(v, { builder: "buildkit" })).toBe(await hash(v, { builder: "buildkit" }));
  });

  it("the project's cache settings count: inline on or off, another cache-from ref", async () => {
    const none = await hash(variant("app", {}));
    const inline = await hash({ ...variant("app", {}), cache: { from: [], inline: true } });
    const notInline = await hash({ ...variant("app", {}), cache: { from: [], inline: false } });
    const from = await hash({ ...variant("app", {}), cache: { from: ["r.example.com/app:latest"], inline: true } });
    expect(new Set([none, inline, notInline, from]).size).toBe(4);
  });

  it("the secret ids count, from the project and the command line alike, in any order; their sources and values do not", async () => {
    const secrets = (file: string) => ({ npmrc: { file, where: "runner-kit.yaml:3:7" } });
    const one = await hash({ ...variant("app", {}), secrets: secrets("/a") });
    expect(await hash({ ...variant("app", {}), secrets: secrets("/elsewhere") })).toBe(one);
    expect(await hash(variant("app", {}), { secretIds: ["npmrc"] })).toBe(one);
    expect(await hash(variant("app", {}))).not.toBe(one);
    const two = await hash({ ...variant("app", {}), secrets: secrets("/a") }, { secretIds: ["token"] });
    expect(two).not.toBe(one);
    expect(await hash(variant("app", {}), { secretIds: ["token", "npmrc"] })).toBe(two);
  });

  it("the ids of forwarded SSH agents count, never their sockets; an ssh id is not a secret id", async () => {
    const none = await hash(variant("app", {}));
    const ssh = await hash(variant("app", {}), { sshIds: ["default"] });
    expect(ssh).not.toBe(none);
    expect(await hash(variant("app", {}), { sshIds: ["default", "default"] })).toBe(ssh);
    expect(await hash(variant("app", {}), { secretIds: ["default"] })).not.toBe(ssh);
    expect(await hash(variant("app", {}), { sshIds: ["gitlab", "default"] })).toBe(await hash(variant("app", {}), { sshIds: ["default", "gitlab"] }));
  });
});

describe("a --build-arg another image of the project declares", () => {
  const arg = (name: string): Record<string, ArgSource> => ({ [name]: { from: "--build-arg" } });

  it("is undeclared for the selection alone, and passes the ARG check once the project's other images declare it", async () => {
    const items = [{ variant: variant("app", { X: "1" }, arg("X")), declared: ["V"], dockerfile: "FROM busybox\nARG V\n" }];
    expect(undeclaredBuildArgs(items)).toEqual(["X"]);
    let asked = 0;
    const scoped = await withProjectBuildArgs(items, async () => (asked++, [["X"], []]));
    expect(asked).toBe(1);
    expect(scoped[0]!.variant.argSources).toEqual({});
    // Declared nowhere: the check still sees it; declared by the selection: the others are never asked.
    expect((await withProjectBuildArgs(items, async () => [["Y"]]))[0]!.variant.argSources).toEqual(arg("X"));
    await withProjectBuildArgs([{ ...items[0]!, declared: ["X"] }], async () => (asked++, []));
    expect(asked).toBe(1);
  });

  it("job-base --no-teams --build-arg RUNNER_BASE_IMAGE passes, with the hash of the same build without it; a misspelt one is still exit 2", async () => {
    const elsewhere = async () => {
      const all = await loadPlan({ cwd: repoRoot });
      return Promise.all(all.variants.filter((v) => v.id !== "job-base").map(async (v) => declaredArgs(await renderVariant(v))));
    };
    const single = (buildArgs: string[]) => loadPlan({ cwd: repoRoot, images: ["job-base"], teams: false, buildArgs });
    const withArg = await single(["RUNNER_BASE_IMAGE=debian:bookworm"]);
    expect(withArg.variants.map((v) => v.id)).toEqual(["job-base"]);
    const error = await prepareVariants(withArg.variants, renderVariant).catch((e: unknown) => e);
    expect((error as RunnerKitError).exitCode).toBe(2);

    const [scoped] = await prepareVariants(withArg.variants, renderVariant, { elsewhere });
    const [without] = await prepareVariants((await single([])).variants, renderVariant, { elsewhere });
    expect(scoped!.contentHash).toBe(without!.contentHash);
    // The full build with the arg gives job-base the same hash again.
    const full = await prepareVariants((await loadPlan({ cwd: repoRoot, buildArgs: ["RUNNER_BASE_IMAGE=debian:bookworm"] })).variants, renderVariant);
    expect(full.find((p) => p.variant.id === "job-base")!.contentHash).toBe(without!.contentHash);

    const misspelt = await prepareVariants((await single(["RUNNER_BASE_IMAJE=debian:bookworm"])).variants, renderVariant, { elsewhere }).catch((e: unknown) => e);
    expect(misspelt).toBeInstanceOf(RunnerKitError);
    expect((misspelt as RunnerKitError).exitCode).toBe(2);
    expect((misspelt as RunnerKitError).message).toMatch(/^--build-arg RUNNER_BASE_IMAJE is not declared by the rendered Dockerfile of image job-base/);
  });

  it("--team with --no-teams is a usage error from loadPlan", async () => {
    const error = await loadPlan({ cwd: repoRoot, team: "data", teams: false }).catch((e: unknown) => e);
    expect((error as RunnerKitError).exitCode).toBe(2);
    expect((error as RunnerKitError).message).toBe("--team and --no-teams contradict each other");
    expect((await loadPlan({ cwd: repoRoot, teams: false })).variants.map((v) => v.id)).toEqual(["runner-aws", "job-base", "runner-kit"]);
  });
});
