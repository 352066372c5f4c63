import { parseRunnerSection } from "../../src/runner/parse-section.js";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "smol-toml";
import type { CliContext } from "../../src/common/context.js";
import type { Plan } from "../../src/project/plan.js";
import { runConfigCommand } from "../../src/runner/command.js";
import { SecretSet } from "../../src/common/secrets.js";
import { TWO_TEAM_ENV, TWO_TEAM_LOCK, TWO_TEAM_VARIANTS } from "../fixtures/runner/project.js";
import { parse as parseYaml } from "yaml";

/** The command end to end over a real directory, with the project loader replaced by its Plan. */
describe("runConfigCommand", () => {
  let root: string;
  let out: { stdout: string; stderr: string };
  let ctx: CliContext;
  const secretValues = [TWO_TEAM_ENV.REGISTRY_PASSWORD!, TWO_TEAM_ENV.HUB_TOKEN!, "web-pass-from-file", "glrt-data-token-fake"];

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "rk-config-"));
    const project = readFileSync(join(import.meta.dirname, "../fixtures/runner/two-team/runner-kit.yaml"), "utf8");
    writeFileSync(join(root, "runner-kit.yaml"), project);
    mkdirSync(join(root, "secrets"));
    writeFileSync(join(root, "secrets", "web-registry-password"), "web-pass-from-file\n", { mode: 0o600 });
    writeFileSync(join(root, "runner-kit.lock"), JSON.stringify(TWO_TEAM_LOCK));
    out = { stdout: "", stderr: "" };
    ctx = {
      argv: [],
      env: { ...TWO_TEAM_ENV, RUNNER_TOKEN_DATA: "glrt-data-token-fake" },
      cwd: root,
      stdout: { write: (s) => void (out.stdout += s) },
      stderr: { write: (s) => void (out.stderr += s) },
      secrets: new SecretSet(),
      signal: new AbortController().signal,
    };
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const loadPlan = async (): Promise<Plan> => {
    const doc = parseYaml(readFileSync(join(root, "runner-kit.yaml"), "utf8")) as { runner: unknown; teams: Record<string, { runner?: unknown }> };
    return {
      projectFile: join(root, "runner-kit.yaml"),
      rootDir: root,
      registry: "registry.example.com:5000/platform",
      // Validated like the loader does: a Plan carries runner sections already parsed.
      variants: TWO_TEAM_VARIANTS.map((v) => (v.team && doc.teams[v.team]?.runner ? { ...v, runner: parseRunnerSection(doc.teams[v.team]!.runner, `teams.${v.team}.runner`) } : v)),
      runner: parseRunnerSection(doc.runner, "runner"),
    };
  };

  it("writes every file with its mode, parseable, and prints where without any secret", async () => {
    await runConfigCommand(ctx, { out: "runner" }, { loadPlan });
    const modes = Object.fromEntries(
      ["config.toml", "register/template-data.toml", "register/template-web.toml", "register/register.sh", "docker/config.json"].map((f) => [
        f,
        statSync(join(root, "runner", f)).mode & 0o777,
      ]),
    );
    expect(modes).toEqual({
      "config.toml": 0o600,
      "register/template-data.toml": 0o600,
      "register/template-web.toml": 0o600,
      "register/register.sh": 0o755,
      "docker/config.json": 0o600,
    });
    const config = parse(readFileSync(join(root, "runner", "config.toml"), "utf8")) as { runners: Array<{ token?: string; name: string }> };
    expect(config.runners.map((r) => [r.name, r.token])).toEqual([
      ["runner-kit-data", "glrt-data-token-fake"],
      ["web-dind", undefined],
    ]);
    for (const f of ["register/template-data.toml", "register/template-web.toml"]) {
      const template = parse(readFileSync(join(root, "runner", f), "utf8")) as { runners: Array<Record<string, unknown>> };
      expect(template.runners).toHaveLength(1);
      expect(template.runners[0]).not.toHaveProperty("token");
    }
    JSON.parse(readFileSync(join(root, "runner", "docker", "config.json"), "utf8"));
    expect(out.stdout).toContain("wrote runner/config.toml (mode 0600, holds credentials)");
    expect(out.stdout).toContain("wrote runner/docker/config.json");
    expect(out.stderr).toMatch(/WEB_RUNNER_TOKEN is not set/);
    for (const secret of secretValues) {
      expect(out.stdout).not.toContain(secret);
      expect(out.stderr).not.toContain(secret);
    }
  });

  it("--json prints one document with secrets left out", async () => {
    await runConfigCommand(ctx, { out: "runner", json: true }, { loadPlan });
    const doc = JSON.parse(out.stdout) as { files: Array<{ path: string; mode: string }>; runners: Array<{ name: string; token: boolean; registries: unknown }> ; dockerConfig: unknown };
    expect(doc.files.map((f) => f.mode)).toEqual(["0600", "0600", "0600", "0755", "0600"]);
    expect(doc.runners.map((r) => [r.name, r.token])).toEqual([
      ["runner-kit-data", true],
      ["web-dind", false],
    ]);
    expect(doc.runners[1]!.registries).toEqual([
      { host: "registry.example.com:5000", from: "file secrets/web-registry-password" },
      { host: "docker.io", from: "env HUB_TOKEN" },
    ]);
    expect(doc.dockerConfig).toEqual({
      credHelpers: { "123456789012.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login" },
      auths: ["registry.example.com:5000", "https://index.docker.io/v1/"],
    });
    for (const secret of secretValues) expect(out.stdout + out.stderr).not.toContain(secret);
    expect(out.stdout + out.stderr).not.toContain(Buffer.from(`ci-bot:${TWO_TEAM_ENV.REGISTRY_PASSWORD}`).toString("base64"));
  });

  it("prints the credsStore warning on stderr and writes credsStore", async () => {
    const file = join(root, "runner-kit.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("    ecr: [123456789012.dkr.ecr.eu-west-1.amazonaws.com]", "    creds_store: ecr-login"));
    await runConfigCommand(ctx, { out: "runner" }, { loadPlan });
    expect(out.stderr).toMatch(/runner-kit: warning: credsStore "ecr-login" applies to every registry: .*Docker Hub/);
    expect(out.stdout).not.toMatch(/credsStore/);
    const config = JSON.parse(readFileSync(join(root, "runner", "docker", "config.json"), "utf8")) as { credsStore?: string; credHelpers?: unknown };
    expect(config.credsStore).toBe("ecr-login");
    expect(config.credHelpers).toBeUndefined();
  });

  it("writes nothing at all when a credential is missing", async () => {
    delete ctx.env.HUB_TOKEN;
    await expect(runConfigCommand(ctx, { out: "runner" }, { loadPlan })).rejects.toThrow(/HUB_TOKEN/);
    expect(existsSync(join(root, "runner"))).toBe(false);
  });

  it("--team writes one runner, register/template.toml, and a register.sh that passes exactly these arguments", async () => {
    ctx.env.RUNNER_TOKEN_DATA = undefined;
    await runConfigCommand(ctx, { out: "out dir", team: "data" }, { loadPlan });
    const dir = join(root, "out dir");
    expect(existsSync(join(dir, "register", "template.toml"))).toBe(true);
    const config = parse(readFileSync(join(dir, "config.toml"), "utf8")) as { runners: unknown[] };
    expect(config.runners).toHaveLength(1);

    // A stand-in gitlab-runner that records its arguments, one per line.
    const bin = join(root, "bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "gitlab-runner"), '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
    chmodSync(join(bin, "gitlab-runner"), 0o755);
    const run = await execa(join(dir, "register", "register.sh"), ["--config", "/etc/gitlab-runner/config.toml"], {
      env: { PATH: `${bin}:/usr/bin:/bin`, RUNNER_TOKEN_DATA: "glrt-from-env" },
      reject: false,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout.split("\n")).toEqual([
      "register",
      "--non-interactive",
      "--url",
      "https://gitlab.example.com",
      "--token",
      "glrt-from-env",
      "--executor",
      "docker",
      "--docker-image",
      `registry.example.com:5000/platform/data/job@sha256:${"b".repeat(64)}`,
      "--template-config",
      join(dir, "register", "template.toml"),
      "--description",
      "runner-kit-data",
      "--config",
      "/etc/gitlab-runner/config.toml",
    ]);
    const missing = await execa(join(dir, "register", "register.sh"), [], { env: { PATH: `${bin}:/usr/bin:/bin` }, reject: false });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain("Missing: RUNNER_TOKEN_DATA");
    expect(missing.stderr).toContain("RUNNER_TOKEN_DATA  the runner authentication token (glrt-…) of runner-kit-data");
    expect(missing.stdout).toBe("");
  });

  it("with two teams, register.sh names every runner's token and registers none until all are set", async () => {
    await runConfigCommand(ctx, { out: "runner" }, { loadPlan });
    const script = join(root, "runner", "register", "register.sh");
    const bin = join(root, "bin2");
    mkdirSync(bin);
    writeFileSync(join(bin, "gitlab-runner"), '#!/bin/sh\necho "registered $6"\n');
    chmodSync(join(bin, "gitlab-runner"), 0o755);
    const env = { PATH: `${bin}:/usr/bin:/bin` };
    const one = await execa(script, [], { env: { ...env, RUNNER_TOKEN: "glrt-one-for-all", RUNNER_TOKEN_DATA: "glrt-data" }, reject: false });
    expect(one.exitCode).toBe(2);
    expect(one.stdout).toBe("");
    expect(one.stderr).toMatch(/2 runners, one token each\); nothing was registered/);
    expect(one.stderr).toContain("Missing: WEB_RUNNER_TOKEN\n");
    expect(one.stderr).toContain("RUNNER_TOKEN_DATA  the runner authentication token (glrt-…) of runner-kit-data");
    expect(one.stderr).toContain("WEB_RUNNER_TOKEN  the runner authentication token (glrt-…) of web-dind");
    const both = await execa(script, [], { env: { ...env, RUNNER_TOKEN_DATA: "glrt-data", WEB_RUNNER_TOKEN: "glrt-web" }, reject: false });
    expect(both.exitCode, both.stderr).toBe(0);
    expect(both.stdout.split("\n")).toEqual(["registered glrt-data", "registered glrt-web"]);
  });
});
