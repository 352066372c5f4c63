import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "smol-toml";
import { newRunId } from "../../src/engine/labels.js";
import { runBin } from "../support/cli.js";
import { expectNoLeaks } from "../support/leaks.js";

/** `runner-kit config` as a user runs it: the built binary, a real project file, real files. */
describe("runner-kit config (binary)", () => {
  const runId = newRunId();
  const digest = `sha256:${"c".repeat(64)}`;
  const password = `pw "with" \\ quotes-${runId}`;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rk-config-cli-"));
    writeFileSync(
      join(dir, "runner-kit.yaml"),
      [
        "registry: registry.example.com:5000/platform",
        "images:",
        "  job-base:",
        "    template: job-base",
        "    tags: [bookworm]",
        "runner:",
        "  url: https://gitlab.example.com",
        "  registries:",
        "    - host: registry.example.com:5000",
        "      username: ci",
        "      password_env: RK_REGISTRY_PASSWORD",
        "  config_json:",
        "    ecr: [123456789012.dkr.ecr.eu-west-1.amazonaws.com]",
        "teams:",
        "  data:",
        "    images: [job-base]",
        "    runner:",
        "      docker_in_docker: true",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "runner-kit.lock"),
      JSON.stringify({
        version: 1,
        variants: { "data/job-base": { repository: "registry.example.com:5000/platform/data/job-base", tags: ["bookworm"], contentHash: "h", baseImages: {}, digest } },
      }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const env = () => ({ RUNNER_KIT_RUN_ID: runId, RK_REGISTRY_PASSWORD: password, PATH: process.env.PATH });

  it("writes the four files, pinned by the lock, and prints where without the password", async () => {
    const result = await runBin(["config", "--out", "out"], { cwd: dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("wrote out/config.toml (mode 0600, holds credentials)");
    expect(result.stdout).toContain("wrote out/register/template.toml");
    const config = parse(readFileSync(join(dir, "out", "config.toml"), "utf8")) as {
      runners: Array<{ name: string; environment: string[]; docker: { image: string; privileged?: boolean } }>;
    };
    expect(config.runners).toHaveLength(1);
    expect(config.runners[0]!.docker.image).toBe(`registry.example.com:5000/platform/data/job-base@${digest}`);
    expect(config.runners[0]!.docker.privileged).toBe(true);
    const auth = JSON.parse(config.runners[0]!.environment.find((e) => e.startsWith("DOCKER_AUTH_CONFIG="))!.slice(19)) as {
      auths: Record<string, { auth: string }>;
    };
    expect(Buffer.from(auth.auths["registry.example.com:5000"]!.auth, "base64").toString("utf8")).toBe(`ci:${password}`);
    expect(statSync(join(dir, "out", "config.toml")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "out", "docker", "config.json")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, "out", "register", "register.sh"), "utf8")).toContain(`--docker-image registry.example.com:5000/platform/data/job-base@${digest}`);
    expect(result.stdout + result.stderr).not.toContain(password);
    await expectNoLeaks(runId);
  });

  it("--json prints one JSON document on stdout, secrets left out", async () => {
    const result = await runBin(["config", "--out", "out-json", "--json"], { cwd: dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout) as { runners: Array<{ name: string; pinned: boolean }>; dockerConfig: { credHelpers: object } };
    expect(doc.runners).toEqual([expect.objectContaining({ name: "runner-kit-data", pinned: true })]);
    expect(doc.dockerConfig.credHelpers).toEqual({ "123456789012.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login" });
    expect(result.stdout + result.stderr).not.toContain(password);
    expect(result.stdout).not.toContain(Buffer.from(`ci:${password}`).toString("base64"));
    await expectNoLeaks(runId);
  });

  it("a missing credential variable is exit 2, names it, and writes nothing", async () => {
    const result = await runBin(["config", "--out", "never"], { cwd: dir, env: { RUNNER_KIT_RUN_ID: runId, PATH: process.env.PATH } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/environment variable RK_REGISTRY_PASSWORD \(password_env\) is not set/);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(join(dir, "never"))).toBe(false);
    await expectNoLeaks(runId);
  });

  it("an unknown key in the runner section is exit 2 at its line and column, with the nearest key", async () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, readFileSync(join(dir, "runner-kit.yaml"), "utf8").replace("      docker_in_docker: true", "      docker:\n        ipc_mode: host"));
    const result = await runBin(["--config", "bad.yaml", "config", "--out", "never"], { cwd: dir, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad\.yaml:19:\d+: .*"ipc_mode" is not a key gitlab-runner reads in \[runners\.docker\] \(did you mean "ipcmode"\?\)/);
    expect(existsSync(join(dir, "never"))).toBe(false);
    await expectNoLeaks(runId);
  });
});
