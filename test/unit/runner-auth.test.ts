import { describe, expect, it } from "vitest";
import { parse } from "smol-toml";
import { buildRunnerConfig } from "../../src/runner/assemble.js";
import { authEntry } from "../../src/runner/docker-auth.js";
import { parseRunnerSection } from "../../src/runner/parse-section.js";
import { SecretSet } from "../../src/common/secrets.js";
import { fakeReadFile, singleInput } from "../fixtures/runner/project.js";

const awkward: Array<[string, string]> = [
  ["plain", "simple-password"],
  ['quo"te', 'pa"ss\'word'],
  ["back\\slash", "C:\\temp\\new\\\\"],
  ["user@example.com", "p@ss@word"],
  ["ünïcødé-用户", "пароль-密码-🔑"],
  ["tab\tand=equals", "line\nbreak and = and } and ]"],
  ["x", "ends-with-newline?\r"],
];

function authFromConfigToml(toml: string, runner = 0): Record<string, { auth: string }> {
  const config = parse(toml) as { runners: Array<{ environment: string[] }> };
  const line = config.runners[runner]!.environment.find((e) => e.startsWith("DOCKER_AUTH_CONFIG="));
  expect(line).toBeDefined();
  return (JSON.parse(line!.slice("DOCKER_AUTH_CONFIG=".length)) as { auths: Record<string, { auth: string }> }).auths;
}

describe("DOCKER_AUTH_CONFIG round trip", () => {
  for (const [username, password] of awkward) {
    it(`gives back ${JSON.stringify(username)} / ${JSON.stringify(password)} after TOML then JSON parsing`, () => {
      const runner = parseRunnerSection(
        { url: "https://gitlab.example.com", registries: [{ host: "Registry.Example.com:5000", username_env: "U", password_env: "P" }] },
        "test",
      );
      const secrets = new SecretSet();
      const out = buildRunnerConfig(singleInput({ runner, env: { U: username, P: password }, secrets }));
      for (const file of out.files.filter((f) => f.path.endsWith(".toml"))) {
        const auths = authFromConfigToml(file.content);
        expect(Object.keys(auths)).toEqual(["registry.example.com:5000"]);
        const decoded = Buffer.from(auths["registry.example.com:5000"]!.auth, "base64").toString("utf8");
        expect(decoded).toBe(`${username}:${password}`);
        // Docker splits at the first colon; usernames never contain one.
        expect(decoded.slice(0, decoded.indexOf(":"))).toBe(username);
        expect(decoded.slice(decoded.indexOf(":") + 1)).toBe(password);
      }
      const json = JSON.parse(out.files.find((f) => f.path === "docker/config.json")!.content) as { auths: Record<string, { auth: string }> };
      expect(Buffer.from(json.auths["registry.example.com:5000"]!.auth, "base64").toString("utf8")).toBe(`${username}:${password}`);
      expect(secrets.redact(`x ${password} y`)).not.toContain(password);
    });
  }

  it("encodes auth as base64 of user:password with no trailing newline", () => {
    expect(authEntry("ci", "secret")).toEqual({ auth: "Y2k6c2VjcmV0" });
    expect(Buffer.from(authEntry("ci", "secret").auth!, "base64").toString()).toBe("ci:secret");
  });

  it("reads a password file without its final newline, relative to the project directory", () => {
    const runner = parseRunnerSection(
      { url: "https://gitlab.example.com", registries: [{ host: "127.0.0.1:5000", username: "ci", password_file: "secrets/pw" }] },
      "test",
    );
    const out = buildRunnerConfig(singleInput({ runner, env: {}, readFile: fakeReadFile({ "/project/secrets/pw": "from-file\n" }) }));
    const auths = authFromConfigToml(out.files[0]!.content);
    expect(Buffer.from(auths["127.0.0.1:5000"]!.auth, "base64").toString()).toBe("ci:from-file");
    expect(out.runners[0]!.registries).toEqual([{ host: "127.0.0.1:5000", from: "file secrets/pw" }]);
  });

  it("writes no DOCKER_AUTH_CONFIG and no token when the environment provides neither", () => {
    const runner = parseRunnerSection({ url: "https://gitlab.example.com" }, "test");
    const out = buildRunnerConfig(singleInput({ runner, env: {} }));
    for (const file of out.files) {
      expect(file.content).not.toContain("DOCKER_AUTH_CONFIG");
      expect(file.content).not.toMatch(/^token\s*=/m);
    }
    expect(out.warnings.join("\n")).toContain("RUNNER_TOKEN is not set");
  });

  it("puts the token into config.toml only, and only when the environment provides it", () => {
    const runner = parseRunnerSection({ url: "https://gitlab.example.com" }, "test");
    const secrets = new SecretSet();
    const out = buildRunnerConfig(singleInput({ runner, env: { RUNNER_TOKEN: "glrt-fake-token-123" }, secrets }));
    const config = parse(out.files[0]!.content) as { runners: Array<{ token?: string }> };
    expect(config.runners[0]!.token).toBe("glrt-fake-token-123");
    for (const file of out.files.slice(1)) expect(file.content).not.toContain("glrt-fake-token-123");
    expect(out.files[0]!.sensitive).toBe(true);
    expect(secrets.redact("glrt-fake-token-123")).toBe("[redacted]");
  });
});
