import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runBin } from "../support/cli.js";

/** The built package (dist/) finds its built-in templates and passes the drift check. */
describe("runner-kit render from dist/", () => {
  const repoRoot = join(import.meta.dirname, "..", "..");

  it("render --check passes on the repository and --plan --json is one JSON document", async () => {
    const check = await runBin(["render", "--check"], { cwd: repoRoot });
    expect(check.code, check.stderr).toBe(0);
    const plan = await runBin(["render", "--plan", "--json"], { cwd: repoRoot });
    expect(plan.code, plan.stderr).toBe(0);
    const doc = JSON.parse(plan.stdout);
    expect(doc.variants.map((v: { id: string }) => v.id)).toEqual(["runner-aws", "job-base", "runner-kit", "data/job-base"]);
    expect(doc.variants[0].templateDirs.at(-1)).toBe(join(repoRoot, "templates"));
  });

  it("lint exits 0 on the repository's images", async () => {
    const lint = await runBin(["lint"], { cwd: repoRoot });
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
  });
});
