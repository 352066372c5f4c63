import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { parse } from "yaml";
import { runBin } from "../support/cli.js";
import { expectNoLeaks } from "../support/leaks.js";

interface BadInputCase {
  argv: string[];
  files?: Record<string, string>;
  /** Files to make executable (credential helpers and the like). */
  executables?: string[];
  env?: Record<string, string>;
  exit: number;
  stderr: string[];
  secrets?: string[];
}

const CASES = join(import.meta.dirname, "..", "bad-input", "cases");

function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, "utf8"));
    }
  };
  walk(dir);
  return files;
}

const results: { name: string; clear: boolean }[] = [];

describe("bad-input corpus", () => {
  const names = readdirSync(CASES).filter((n) => n.endsWith(".yaml")).sort();

  it("has cases", () => {
    expect(names.length).toBeGreaterThan(0);
  });

  for (const name of names) {
    it(name.replace(/\.yaml$/, ""), async () => {
      // $REGISTRY: the authenticated test registry's host:port (a registry that refuses anonymous access).
      const registry = inject("registry").host;
      const spec = parse(readFileSync(join(CASES, name), "utf8").replaceAll("$REGISTRY", registry)) as BadInputCase;
      const dir = mkdtempSync(join(tmpdir(), "rk-bad-"));
      try {
        for (const [file, text] of Object.entries(spec.files ?? {})) {
          mkdirSync(dirname(join(dir, file)), { recursive: true });
          writeFileSync(join(dir, file), text.replaceAll("$CASE_DIR", dir));
        }
        for (const file of spec.executables ?? []) chmodSync(join(dir, file), 0o755);
        const before = snapshot(dir);
        const runId = `bad-${name.replace(/\.yaml$/, "").replace(/[^a-z0-9-]/gi, "-").slice(0, 40)}`;
        const env: Record<string, string> = { RUNNER_KIT_RUN_ID: runId, HOME: dir };
        for (const [k, v] of Object.entries(spec.env ?? {})) env[k] = v.replaceAll("$CASE_DIR", dir);
        const result = await runBin(spec.argv, { cwd: dir, env });
        const output = `${result.stdout}\n${result.stderr}`;

        expect(result.code, output).toBe(spec.exit);
        for (const pattern of spec.stderr) expect(result.stderr).toMatch(new RegExp(pattern));
        expect(output, "stack trace").not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
        expect(result.stderr.trim().split("\n").filter((l) => l.startsWith("runner-kit:") && !l.startsWith("runner-kit: warning:")), "one error paragraph").toHaveLength(1);
        for (const secret of spec.secrets ?? []) expect(output).not.toContain(secret);
        expect(snapshot(dir), "files written or changed").toEqual(before);
        await expectNoLeaks(runId);
        results.push({ name, clear: true });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  }

  afterAll(() => {
    console.log(`bad inputs tried: ${names.length}, clear errors: ${results.filter((r) => r.clear).length}`);
  });
});
