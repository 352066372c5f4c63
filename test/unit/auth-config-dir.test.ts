import { describe, expect, it } from "vitest";
import { configDirRulesAgree, dockerConfigDir } from "../../src/auth/config-dir.js";
import { loadAuthSources } from "../../src/auth/sources.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const config = (host: string) => JSON.stringify({ auths: { [host]: { auth: b64("u:p") } } });

/** A fake disk: what was read, in order. */
function files(map: Record<string, string>) {
  const read: string[] = [];
  const readFile = async (path: string) => {
    read.push(path);
    if (path in map) return map[path]!;
    throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
  };
  return { read, readFile };
}

describe("DOCKER_CONFIG: the docker CLI's rule for runner-kit's own pulls and pushes", () => {
  const disk = { "/home/u/.docker/config.json": config("home.example.com"), "/ci/docker/config.json": config("ci.example.com") };
  const env = { HOME: "/home/u", DOCKER_CONFIG: "/ci/docker" };

  it("reads $DOCKER_CONFIG/config.json, not $HOME/.docker, when it is set", async () => {
    const { readFile, read } = files(disk);
    const sources = await loadAuthSources({ env, rule: "docker-cli", readFile });
    expect(sources.map((s) => s.source)).toEqual(["/ci/docker/config.json"]);
    expect(Object.keys(sources[0]!.config.auths!)).toEqual(["ci.example.com"]);
    expect(read).toEqual(["/ci/docker/config.json"]);
  });

  it("keeps DOCKER_AUTH_CONFIG first", async () => {
    const { readFile } = files(disk);
    const sources = await loadAuthSources({ env: { ...env, DOCKER_AUTH_CONFIG: config("env.example.com") }, rule: "docker-cli", readFile });
    expect(sources.map((s) => s.source)).toEqual(["DOCKER_AUTH_CONFIG", "/ci/docker/config.json"]);
  });

  it("is $HOME/.docker when DOCKER_CONFIG is not set, and falls back to $HOME/.dockercfg without a config.json", async () => {
    const { readFile } = files(disk);
    expect((await loadAuthSources({ env: { HOME: "/home/u" }, rule: "docker-cli", readFile })).map((s) => s.source)).toEqual(["/home/u/.docker/config.json"]);
    const legacy = files({ "/home/u/.dockercfg": JSON.stringify({ "old.example.com": { auth: b64("o:o") } }) });
    const sources = await loadAuthSources({ env, rule: "docker-cli", readFile: legacy.readFile });
    expect(legacy.read).toEqual(["/ci/docker/config.json", "/home/u/.dockercfg"]);
    expect(sources.map((s) => s.source)).toEqual(["/home/u/.dockercfg"]);
  });
});

describe("GitLab Runner's rule (smoke, and the default): DOCKER_CONFIG is not read", () => {
  it("reads $HOME/.docker/config.json even when DOCKER_CONFIG is set", async () => {
    const { readFile, read } = files({ "/home/u/.docker/config.json": config("home.example.com"), "/ci/docker/config.json": config("ci.example.com") });
    for (const rule of [undefined, "gitlab-runner"] as const) {
      const sources = await loadAuthSources({ env: { HOME: "/home/u", DOCKER_CONFIG: "/ci/docker" }, ...(rule ? { rule } : {}), readFile });
      expect(sources.map((s) => s.source)).toEqual(["/home/u/.docker/config.json"]);
    }
    expect(read).not.toContain("/ci/docker/config.json");
  });
});

describe("dockerConfigDir", () => {
  it("is $DOCKER_CONFIG, else $HOME/.docker", () => {
    expect(dockerConfigDir({ HOME: "/home/u", DOCKER_CONFIG: "/ci/docker" })).toBe("/ci/docker");
    expect(dockerConfigDir({ HOME: "/home/u" })).toBe("/home/u/.docker");
    expect(dockerConfigDir({ HOME: "/home/u", DOCKER_CONFIG: "" })).toBe("/home/u/.docker");
  });
});

describe("configDirRulesAgree: whether build --smoke's jobs may share the build's credentials", () => {
  it("agrees without DOCKER_CONFIG or when it is $HOME/.docker, and not otherwise", () => {
    expect(configDirRulesAgree({ HOME: "/home/u" })).toBe(true);
    expect(configDirRulesAgree({ HOME: "/home/u", DOCKER_CONFIG: "/home/u/.docker/" })).toBe(true);
    expect(configDirRulesAgree({ HOME: "/home/u", DOCKER_CONFIG: "/ci/docker" })).toBe(false);
  });
});
