import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runInProcess } from "../support/cli.js";

describe("runner-kit config --check", () => {
  const dir = mkdtempSync(join(tmpdir(), "rk-config-check-"));
  const project = join(dir, "p");
  const env = { ...process.env, NO_COLOR: "1", REGISTRY_PASSWORD: "s3cret-pa55" };
  const config = (...args: string[]) => runInProcess(["config", ...args], { cwd: project, env });

  beforeAll(async () => {
    expect((await runInProcess(["init", project])).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("fails on files never written, and writes nothing", async () => {
    const r = await config("--check");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MISSING\s+runner\/config\.toml/);
    expect(existsSync(join(project, "runner"))).toBe(false);
  });

  it("passes right after config, and fails with a diff when a file changed", async () => {
    expect((await config()).code).toBe(0);
    expect((await config("--check")).code).toBe(0);
    const script = join(project, "runner", "register", "register.sh");
    writeFileSync(script, readFileSync(script, "utf8").replace("--non-interactive", "--non-interactive --debug"), { mode: 0o755 });
    const r = await config("--check");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("--- runner/register/register.sh (written)");
    expect(r.stdout).toMatch(/^-.*--debug/m);
    expect(r.stderr).toMatch(/DIFFERS\s+runner\/register\/register\.sh/);
  });

  it("never shows the content of a file that holds credentials, and checks modes", async () => {
    expect((await config()).code).toBe(0);
    const json = join(project, "runner", "docker", "config.json");
    writeFileSync(json, readFileSync(json, "utf8").replace('"auths"', '"auths" '), { mode: 0o644 });
    chmodSync(json, 0o644);
    const r = await config("--check", "--json");
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { ok: boolean; files: { path: string; status: string; detail?: string }[] };
    expect(doc.ok).toBe(false);
    const entry = doc.files.find((f) => f.path === "runner/docker/config.json")!;
    expect(entry.detail).toContain("holds credentials, so the difference is not shown");
    expect(entry.detail).toContain("mode 0644, expected 0600");
    expect(r.stdout + r.stderr).not.toContain("s3cret-pa55");
    expect(r.stdout + r.stderr).not.toContain(Buffer.from("ci-pull:s3cret-pa55").toString("base64"));
  });
});
