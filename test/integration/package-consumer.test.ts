import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const TSC = join(ROOT, "node_modules", ".bin", "tsc");

/**
 * The packed package as a TypeScript user gets it: `npm pack`, installed into a project of
 * its own (strict, NodeNext, library types checked), and a consumer of the library API
 * compiled against it — so the published declarations name only types the package's own
 * dependencies provide.
 */
describe("the packed package compiles in a TypeScript consumer and its bin runs", () => {
  const dir = mkdtempSync(join(tmpdir(), "rk-consumer-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("installs from the tarball, type-checks the library API and runs `npx runner-kit`", async () => {
    await execa("npm", ["pack", "--pack-destination", dir, "--silent"], { cwd: ROOT });
    const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
    expect(tarball).toBeDefined();
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module", dependencies: { "runner-kit": `file:./${tarball}`, "@types/node": pkg.devDependencies["@types/node"] } }),
    );
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", noEmit: true, skipLibCheck: false, types: ["node"] }, include: ["consumer.ts"] }),
    );
    writeFileSync(
      join(dir, "consumer.ts"),
      [
        'import { loadPlan, parseImageReference, resolveRegistryAuth, runSmokeJob, serviceAliases, type ImageReference, type Plan, type RegistryCredential } from "runner-kit";',
        'const ref: ImageReference = parseImageReference("registry.example.com:5000/platform/runner-aws:v1");',
        'const aliases: string[] = serviceAliases("tutum/wordpress:latest", "db");',
        "const credential: Promise<RegistryCredential | undefined> = resolveRegistryAuth(ref.toString(), []);",
        "const plan: Promise<Plan> = loadPlan({ cwd: process.cwd() });",
        "console.log(ref.familiarName, aliases, credential, plan, typeof runSmokeJob);",
        "",
      ].join("\n"),
    );
    const install = await execa("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, reject: false });
    expect(install.exitCode, install.stderr).toBe(0);
    const compile = await execa(TSC, ["-p", "."], { cwd: dir, reject: false });
    expect(compile.exitCode, compile.stdout + compile.stderr).toBe(0);
    // The bin from the tarball (the bundled dist/cli/main.js and dist/cli/cli.cjs) runs, and finds
    // its package's templates/ from where npm put it.
    const help = await execa("npx", ["--no-install", "runner-kit", "--help"], { cwd: dir, reject: false });
    expect(help.exitCode, help.stderr).toBe(0);
    expect(help.stdout).toContain("Usage: runner-kit");
    const init = await execa("npx", ["--no-install", "runner-kit", "init", "proj"], { cwd: dir, reject: false });
    expect(init.exitCode, init.stderr).toBe(0);
    const render = await execa("npx", ["--no-install", "runner-kit", "render"], { cwd: join(dir, "proj"), reject: false });
    expect(render.exitCode, render.stderr).toBe(0);
    expect(readFileSync(join(dir, "proj", "images", "runner-aws", "Dockerfile"), "utf8")).toMatch(/^FROM /m);
  }, 600_000);
});
