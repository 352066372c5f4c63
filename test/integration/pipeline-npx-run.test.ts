/**
 * Issue 16 item 5 with `ci: { install: npx }`: a fresh `init` scaffold whose jobs get runner-kit
 * by `npx --yes runner-kit@<version>` in node:20-bookworm, from an npm registry that serves a
 * packed tarball of this checkout (test/support/npm-registry.ts) and is named the way a user
 * names a private one: `npm_config_registry` in `ci.variables`. The parent pipeline's generate
 * job uses the same npx line. `ci --run` runs the whole parent as a privileged runner with the
 * /certs/client volume would (this host refuses privileged containers: --emulate-privileged).
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse, parseDocument } from "yaml";
import { runInProcess } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { startNpmRegistry, type NpmRegistry } from "../support/npm-registry.js";
import { expectImageJobReports, expectPublished, SCAFFOLD_VARIANTS } from "../support/published.js";
import { bridgeGateway, removeScaffold, scaffoldPipeline, scaffoldPlace, type ScaffoldPipeline } from "../support/scaffold-pipeline.js";
import { uniqueRunId } from "../fixtures/smoke/helpers.js";

const CHECKOUT = join(import.meta.dirname, "..", "..");
const VERSION = (JSON.parse(readFileSync(join(CHECKOUT, "package.json"), "utf8")) as { version: string }).version;
const NPX = `npx --yes runner-kit@${VERSION}`;
const NODE_IMAGE = "node:20-bookworm";

/** The registry's token: a masked CI/CD variable, never in a file or the pipeline. */
const NPM_TOKEN = `npm-token-${randomBytes(8).toString("hex")}`;

/**
 * npm settings for the jobs, as docs/pipeline.md gives them: the registry, nothing that
 * would reach the public one (audit, fund, update check), and the login: a user config file
 * committed with the project that names the token only as ${NPM_TOKEN}.
 */
function npmVariables(url: string): Record<string, string> {
  return {
    npm_config_registry: url, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false",
    NPM_CONFIG_USERCONFIG: "$CI_PROJECT_DIR/ci.npmrc",
  };
}

describe("a fresh scaffold's pipeline with ci.install: npx, runner-kit from a packed tarball of this checkout", () => {
  const place = scaffoldPlace("npx-run");
  const { project, runId, namespace } = place;
  let s: ScaffoldPipeline | undefined;
  let npm: NpmRegistry | undefined;

  afterAll(async () => {
    await removeScaffold(await docker(), place, s);
    await npm?.close();
  });

  beforeAll(async () => {
    const d = await docker();
    await d.getImage(NODE_IMAGE).inspect().catch(() => {
      throw new Error(`${NODE_IMAGE} is not on this daemon: run \`bash test/support/seed-node.sh\` (bash .ci/run does)`);
    });
    const { url } = (npm = await startNpmRegistry(CHECKOUT, await bridgeGateway(d), { token: NPM_TOKEN }));
    s = await scaffoldPipeline(d, { project, runId, namespace, registryImage: inject("fixtures").registry, registryRunId: uniqueRunId("npx-registry") });
    const path = join(project, "runner-kit.yaml");
    const doc = parseDocument(readFileSync(path, "utf8"));
    doc.setIn(["ci", "install"], "npx");
    doc.deleteIn(["ci", "image"]);
    doc.setIn(["ci", "variables"], doc.createNode(npmVariables(url)));
    writeFileSync(path, doc.toString());
    writeFileSync(join(project, "ci.npmrc"), `${url.replace(/^https?:/, "")}/:_authToken=\${NPM_TOKEN}\n`);
    // The parent's generate job, as a user of install: npx writes it: the same npx line in Node.
    const parentPath = join(project, ".gitlab-ci.yml");
    const parent = parseDocument(readFileSync(parentPath, "utf8"));
    parent.set("variables", parent.createNode(npmVariables(url)));
    parent.setIn(["generate", "image"], NODE_IMAGE);
    writeFileSync(parentPath, parent.toString().replaceAll("runner-kit render --check", `${NPX} render --check`).replaceAll("runner-kit ci --out", `${NPX} ci --out`));
  }, 300_000);

  it("npm reaches the private registry only with the token, which the user config names as ${NPM_TOKEN}", async () => {
    const view = (token: string, cache: string) =>
      execa("npm", ["view", `runner-kit@${VERSION}`, "version"], {
        reject: false, cwd: project,
        env: { ...process.env, ...npmVariables(npm!.url), NPM_CONFIG_USERCONFIG: join(project, "ci.npmrc"), npm_config_cache: join(place.root, cache), NPM_TOKEN: token },
      });
    const ok = await view(NPM_TOKEN, "npm-cache-ok");
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toBe(VERSION);
    const refused = await view("not-the-token", "npm-cache-refused");
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/E401|401 Unauthorized/);
  });

  it("generates the child pipeline with npx, builds, smoke-tests and pushes every variant in dind, and publishes the lock and config.toml", async () => {
    const { registry, inside, env } = s!;
    const { url, misses } = npm!;
    const missed = misses.length;
    const r = await runInProcess(["ci", "--run", ".gitlab-ci.yml", "--runner-config", "config.toml", "--emulate-privileged", "--artifacts-dir", "run1", "--variable", "NPM_TOKEN"], {
      cwd: project, env: { ...env, NPM_TOKEN },
    });
    expect(r.code, `${r.stdout}\n${r.stderr}\nmisses: ${misses.join(", ")}`).toBe(0);
    expect(`${r.stdout}\n${r.stderr}`).not.toContain(registry.password);
    // npm logged in with the token (the registry answers 401 without it), which no output and no generated file shows.
    expect(misses.slice(missed).filter((m) => m.startsWith("unauthorized"))).toEqual([]);
    expect(`${r.stdout}\n${r.stderr}`).not.toContain(NPM_TOKEN);
    expect(readFileSync(join(project, "run1", "generate", "child-pipeline.yml"), "utf8")).not.toContain(NPM_TOKEN);
    expect(r.stderr).toContain(`[generate] $ ${NPX} render --check`);

    // Every job of the child pipeline runs runner-kit through npx in the Node image, with the npm settings of ci.variables.
    const child = parse(readFileSync(join(project, "run1", "generate", "child-pipeline.yml"), "utf8")) as Record<string, any>;
    expect(child.default.image).toBe(NODE_IMAGE);
    expect(child.variables).toMatchObject(npmVariables(url));
    const jobs = Object.entries(child).filter(([, job]) => Array.isArray(job?.script)) as [string, { script: string[] }][];
    expect(jobs.map(([name]) => name)).toEqual(expect.arrayContaining(SCAFFOLD_VARIANTS.map((id) => `build:${id}`)));
    for (const [name, job] of jobs) expect(job.script.join("\n"), name).toContain(`${NPX} `);
    for (const [name] of jobs) expect(r.stdout).toMatch(new RegExp(`^build-images > ${name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\\s+\\S+\\s+passed\\s`, "m"));
    for (const id of SCAFFOLD_VARIANTS) expect(r.stderr).toMatch(new RegExp(`^\\[build-images > build:${id}\\] [^\\n]*${id}: built and pushed in `, "m"));

    await expectPublished(join(project, "run1", "build-images", "runner-kit_publish"), registry, inside, namespace);
    expectImageJobReports(join(project, "run1", "build-images"));
    await expectNoLeaks(runId);
  });
});
