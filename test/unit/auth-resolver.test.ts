import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCredentialResolver } from "../../src/auth/resolver.js";
import { SecretSet } from "../../src/common/secrets.js";
import { helperWorld, type HelperWorld } from "../fixtures/cred-helpers/helper-env.js";

let world: HelperWorld;
beforeEach(() => {
  world = helperWorld();
});
afterEach(() => world.dispose());

describe("createCredentialResolver", () => {
  it("reads the sources and runs the helpers once, registers secrets, reports the source used", async () => {
    world.store({ "store.example.com": { Username: "s", Secret: "store-secret" } });
    const files: Record<string, string> = {
      "/h/.docker/config.json": JSON.stringify({ credsStore: "rk-file", auths: { "file.example.com": { username: "f", password: "file-secret" } } }),
    };
    const readFile = async (path: string) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
      return text;
    };
    const secrets = new SecretSet();
    const info: string[] = [];
    const resolver = createCredentialResolver({
      env: { ...world.env, DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { "env.example.com": { username: "e", password: "env-secret" } } }) },
      homeDir: "/h",
      readFile,
      secrets,
      info: (m) => info.push(m),
    });
    const [a, b, c, none] = await Promise.all([
      resolver.forImage("env.example.com/x"),
      resolver.forImage("file.example.com/x"),
      resolver.forImage("store.example.com/x:1"),
      resolver.forImage("debian"),
    ]);
    expect([a?.username, b?.username, c?.username, none]).toEqual(["e", "f", "s", undefined]);
    expect((await resolver.all()).map((x) => x.registry)).toEqual(["env.example.com", "file.example.com", "store.example.com"]);
    expect(world.calls()).toEqual(["list unused", "get store.example.com"]);
    expect(secrets.redact("env-secret file-secret store-secret")).toBe("[redacted] [redacted] [redacted]");
    expect(info).toEqual([
      "Authenticating with credentials from DOCKER_AUTH_CONFIG",
      "Authenticating with credentials from /h/.docker/config.json",
      "Authenticating with credentials from /h/.docker/config.json",
    ]);
  });
});
