import { describe, expect, it } from "vitest";
import { decodeAuthField, parseDockerConfig } from "../../src/auth/config-file.js";
import { loadAuthSources } from "../../src/auth/sources.js";
import { RunnerKitError } from "../../src/common/errors.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");

function files(map: Record<string, string>) {
  const read: string[] = [];
  const readFile = async (path: string) => {
    read.push(path);
    const text = map[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
    return text;
  };
  return { readFile, read };
}

function thrown(fn: () => unknown): RunnerKitError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RunnerKitError);
    return error as RunnerKitError;
  }
  throw new Error("expected a RunnerKitError");
}

async function rejected(promise: Promise<unknown>): Promise<RunnerKitError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(RunnerKitError);
  return error as RunnerKitError;
}

describe("config.json model", () => {
  it("parses auths, credsStore and credHelpers, keeping unknown keys", () => {
    const config = parseDockerConfig(
      JSON.stringify({
        auths: { "registry.example.com": { auth: b64("u:p:with:colons"), email: "x@example.com" }, "docker.io": {} },
        credsStore: "desktop",
        credHelpers: { "123.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login" },
        experimental: "enabled",
      }),
      "config.json",
    );
    expect(config.auths?.["registry.example.com"]?.auth).toBe(b64("u:p:with:colons"));
    expect(config.auths?.["docker.io"]).toEqual({});
    expect(config.credsStore).toBe("desktop");
    expect(config.credHelpers).toEqual({ "123.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login" });
    expect(config.experimental).toBe("enabled");
  });

  it("decodes auth as user:password split at the first colon", () => {
    expect(decodeAuthField(b64("user:pa:ss"))).toEqual({ username: "user", password: "pa:ss" });
    expect(decodeAuthField("")).toEqual({ username: "", password: "" });
    expect(decodeAuthField(b64("nocolon"))).toBeUndefined();
    expect(decodeAuthField("%%%")).toBeUndefined();
  });

  it("an empty document is an empty config", () => {
    expect(parseDockerConfig("  \n", "x")).toEqual({});
  });

  it.each([
    ["[1,2]", /the document in src must be a JSON object/],
    ['{"auths": []}', /"auths" in src must be a JSON object/],
    ['{"auths": {"r": "x"}}', /"auths" entry "r" in src must be a JSON object/],
    ['{"auths": {"r": {"auth": 5}}}', /the "auth" of "auths" entry "r" in src must be a string/],
    ['{"credsStore": 1}', /"credsStore" in src must be a string/],
    ['{"credHelpers": {"r": 1}}', /"credHelpers" entry "r" in src must be a string/],
  ])("rejects %s", (text, message) => {
    const error = thrown(() => parseDockerConfig(text, "src"));
    expect(error.kind).toBe("config");
    expect(error.message).toMatch(message);
  });

  it("rejects an auth value that is not base64 of user:password without showing it", () => {
    const secret = b64("only-a-token-no-colon");
    const error = thrown(() => parseDockerConfig(JSON.stringify({ auths: { "r.example.com": { auth: secret } } }), "src"));
    expect(error.message).toContain('the "auth" of "auths" entry "r.example.com" in src is not base64 of "user:password"');
    expect(error.toParagraph()).not.toContain(secret);
  });

  it("reads the legacy .dockercfg layout only when asked", () => {
    const text = JSON.stringify({ "https://index.docker.io/v1/": { auth: b64("a:b"), email: "e" } });
    expect(parseDockerConfig(text, "cfg", { legacy: true }).auths).toEqual({ "https://index.docker.io/v1/": { auth: b64("a:b"), email: "e" } });
    expect(parseDockerConfig(text, "cfg").auths).toBeUndefined();
  });
});

describe("loadAuthSources: GitLab Runner's order", () => {
  const cfg = JSON.stringify({ auths: { "file.example.com": { auth: b64("f:f") } } });

  it("DOCKER_AUTH_CONFIG first, then $HOME/.docker/config.json", async () => {
    const { readFile } = files({ "/home/u/.docker/config.json": cfg, "/home/u/.dockercfg": "{}" });
    const sources = await loadAuthSources({
      env: { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { "env.example.com": { username: "e", password: "e" } } }), HOME: "/home/u" },
      readFile,
    });
    expect(sources.map((s) => s.source)).toEqual(["DOCKER_AUTH_CONFIG", "/home/u/.docker/config.json"]);
    expect(Object.keys(sources[0]!.config.auths!)).toEqual(["env.example.com"]);
    expect(Object.keys(sources[1]!.config.auths!)).toEqual(["file.example.com"]);
  });

  it("falls back to $HOME/.dockercfg (legacy layout) only without config.json", async () => {
    const { readFile } = files({ "/h/.dockercfg": JSON.stringify({ "legacy.example.com": { auth: b64("l:l") } }) });
    const sources = await loadAuthSources({ env: {}, homeDir: "/h", readFile });
    expect(sources).toEqual([{ source: "/h/.dockercfg", config: { auths: { "legacy.example.com": { auth: b64("l:l") } }, "legacy.example.com": { auth: b64("l:l") } } }]);
  });

  it("uses options.homeDir over env.HOME, and has no sources when nothing is configured", async () => {
    const { readFile, read } = files({});
    expect(await loadAuthSources({ env: { HOME: "/ignored", DOCKER_AUTH_CONFIG: "" }, homeDir: "/h", readFile })).toEqual([]);
    expect(read).toEqual(["/h/.docker/config.json", "/h/.dockercfg"]);
  });

  it("DOCKER_AUTH_CONFIG that is not JSON is a configuration error naming the variable", async () => {
    const { readFile } = files({});
    const error = await rejected(loadAuthSources({ env: { DOCKER_AUTH_CONFIG: "registry.example.com user:secretpw" }, homeDir: "/h", readFile }));
    expect(error.kind).toBe("config");
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^the DOCKER_AUTH_CONFIG variable is not valid JSON/);
    expect(error.toParagraph()).not.toContain("secretpw");
    expect(error.toParagraph()).not.toContain("\n");
  });

  it("the JSON error never quotes the input (it may hold a secret)", async () => {
    const { readFile } = files({});
    for (const text of ["secretpw123456789", '{"auths": {"r": {"password": "secretpw123456789" x}}}', "{\"auths\": secretpw123456789"]) {
      const error = await rejected(loadAuthSources({ env: { DOCKER_AUTH_CONFIG: text }, homeDir: "/h", readFile }));
      expect(error.toParagraph()).not.toMatch(/secretpw|secr|pw1/);
      expect(error.message).toMatch(/^the DOCKER_AUTH_CONFIG variable is not valid JSON/);
    }
  });

  it("a broken config.json is a configuration error naming the file", async () => {
    const { readFile } = files({ "/h/.docker/config.json": "{ not json" });
    const error = await rejected(loadAuthSources({ env: {}, homeDir: "/h", readFile }));
    expect(error.message).toMatch(/^\/h\/\.docker\/config\.json is not valid JSON/);
  });

  it("an unreadable file is a configuration error naming it", async () => {
    const readFile = async () => {
      throw Object.assign(new Error("EACCES"), { code: "EACCES" });
    };
    const error = await rejected(loadAuthSources({ env: {}, homeDir: "/h", readFile }));
    expect(error.message).toBe("cannot read the Docker credentials file /h/.docker/config.json (EACCES)");
  });
});
