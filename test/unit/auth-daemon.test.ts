import { describe, expect, it } from "vitest";
import { dockerAuthConfig, registryConfigHeader, registryConfigMap } from "../../src/auth/daemon-auth.js";
import { registerCredentialSecrets } from "../../src/auth/secrets.js";
import type { RegistryCredential } from "../../src/auth/types.js";
import { SecretSet } from "../../src/common/secrets.js";

const cred = (registry: string, extra: Partial<RegistryCredential> = {}): RegistryCredential => ({
  registry,
  username: `u-${registry}`,
  password: `p-${registry}`,
  serverAddress: registry,
  source: "test",
  ...extra,
});

/** Go's base64.URLEncoding: URL alphabet, padded. */
function decodeLikeTheDaemon(value: string): unknown {
  expect(value).toMatch(/^[A-Za-z0-9_-]*={0,2}$/);
  expect(value.length % 4).toBe(0);
  return JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
}

describe("dockerAuthConfig", () => {
  it("password credentials", () => {
    expect(dockerAuthConfig(cred("registry.example.com:5000", { serverAddress: "http://registry.example.com:5000/v2/" }))).toEqual({
      username: "u-registry.example.com:5000",
      password: "p-registry.example.com:5000",
      serveraddress: "http://registry.example.com:5000/v2/",
    });
  });

  it("identity tokens are sent as identitytoken, without user name or password", () => {
    expect(dockerAuthConfig(cred("r.example.com", { username: "", password: "", identityToken: "tok" }))).toEqual({
      identitytoken: "tok",
      serveraddress: "r.example.com",
    });
  });

  it("Docker Hub credentials use the Hub server address", () => {
    expect(dockerAuthConfig(cred("docker.io", { serverAddress: "docker.io" })).serveraddress).toBe("https://index.docker.io/v1/");
  });
});

describe("X-Registry-Config", () => {
  it("maps registry hosts to auth configs, Docker Hub under https://index.docker.io/v1/, first per host wins", () => {
    const map = registryConfigMap([
      cred("registry.example.com:5000/group", { username: "group-user" }),
      cred("registry.example.com:5000", { username: "host-user" }),
      cred("docker.io"),
      cred("tok.example.com", { username: "", password: "", identityToken: "t" }),
    ]);
    expect(map).toEqual({
      "registry.example.com:5000": { username: "group-user", password: "p-registry.example.com:5000/group", serveraddress: "registry.example.com:5000/group" },
      "https://index.docker.io/v1/": { username: "u-docker.io", password: "p-docker.io", serveraddress: "https://index.docker.io/v1/" },
      "tok.example.com": { identitytoken: "t", serveraddress: "tok.example.com" },
    });
  });

  it("is URL-safe base64 with padding of that JSON, even where standard base64 would use + and /", () => {
    // "?>" and "~" encode to "/" and "+" in standard base64.
    const credentials = [cred("r.example.com", { password: "??>>~~~" }), cred("s.example.com", { password: "a" })];
    const header = registryConfigHeader(credentials);
    const standard = Buffer.from(JSON.stringify(registryConfigMap(credentials))).toString("base64");
    expect(standard).toMatch(/[+/]/);
    expect(header).not.toMatch(/[+/]/);
    expect(decodeLikeTheDaemon(header)).toEqual(registryConfigMap(credentials));
  });

  it("an empty list is an empty map", () => {
    expect(decodeLikeTheDaemon(registryConfigHeader([]))).toEqual({});
  });
});

describe("registerCredentialSecrets", () => {
  it("redacts password, user:password base64 and identity token", () => {
    const secrets = new SecretSet();
    registerCredentialSecrets(secrets, cred("r.example.com", { username: "alice", password: "pw-123456" }));
    registerCredentialSecrets(secrets, cred("t.example.com", { username: "", password: "", identityToken: "idtok-987" }));
    registerCredentialSecrets(secrets, undefined);
    const basic = Buffer.from("alice:pw-123456").toString("base64");
    expect(secrets.redact(`login alice pw-123456 ${basic} idtok-987`)).toBe("login alice [redacted] [redacted] [redacted]");
  });
});
