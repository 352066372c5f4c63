import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import type { RegistryCredential } from "../../src/auth/types.js";
import { authMethods, credentialKeyForHost, explainRefusal, type ServedHosts } from "../../src/builder/buildkit/auth-service.js";
import { explainMissingSecret, secretsMethods } from "../../src/builder/buildkit/secrets-service.js";
import type { SessionMethod } from "../../src/builder/buildkit/session.js";
import { SecretSet } from "../../src/common/secrets.js";
import { sessionHarness, type SessionHarness } from "../support/session-harness.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

async function harness(methods: SessionMethod[], o: { tlsWithoutAlpn?: boolean } = {}): Promise<SessionHarness> {
  const h = await sessionHarness(methods, o);
  cleanups.push(() => h.close());
  return h;
}

const credential = (registry: string, extra: Partial<RegistryCredential> = {}): RegistryCredential => ({
  registry,
  username: `user-of-${registry}`,
  password: `password-of-${registry}`,
  serverAddress: registry,
  source: `config of ${registry}`,
  ...extra,
});

describe("the BuildKit session's services over gRPC", () => {
  it("answers the daemon's health check as SERVING", async () => {
    const h = await harness([]);
    expect(await h.call("/grpc.health.v1.Health/Check", "HealthCheckRequest", "HealthCheckResponse", {})).toEqual({ status: 1 });
  });

  it("serves a connection that negotiated no ALPN (the TLSSocket of a daemon on tcp with TLS, as docker:dind) as HTTP/2", async () => {
    const h = await harness([], { tlsWithoutAlpn: true });
    expect(await h.call("/grpc.health.v1.Health/Check", "HealthCheckRequest", "HealthCheckResponse", {})).toEqual({ status: 1 });
  });

  it("answers Credentials per requested host, each from its own credential, and registers the secrets", async () => {
    const asked: string[] = [];
    const secretSet = new SecretSet();
    const served: ServedHosts = new Map();
    const table = [credential("one.example:5000"), credential("two.example"), credential("tok.example", { identityToken: "identity-token-xyz" })];
    const methods = authMethods(
      {
        baseImages: ["one.example:5000/team/base:1", "two.example/base"],
        secretSet,
        resolveAuth: async (key) => {
          asked.push(key);
          return table.find((c) => key.split("/")[0] === c.registry);
        },
      },
      served,
    );
    const h = await harness(methods);
    const path = "/moby.filesync.v1.Auth/Credentials";
    expect(await h.call(path, "CredentialsRequest", "CredentialsResponse", { Host: "one.example:5000" })).toEqual({ Username: "user-of-one.example:5000", Secret: "password-of-one.example:5000" });
    expect(await h.call(path, "CredentialsRequest", "CredentialsResponse", { Host: "two.example" })).toEqual({ Username: "user-of-two.example", Secret: "password-of-two.example" });
    // An identity token travels as the secret with no user name; an unknown host gets an empty (anonymous) answer.
    expect(await h.call(path, "CredentialsRequest", "CredentialsResponse", { Host: "tok.example" })).toEqual({ Secret: "identity-token-xyz" });
    expect(await h.call(path, "CredentialsRequest", "CredentialsResponse", { Host: "nobody.example" })).toEqual({});
    expect(asked).toEqual(["one.example:5000/team/base:1", "two.example/base", "tok.example", "nobody.example"]);
    expect(served).toEqual(
      new Map([
        ["one.example:5000", "config of one.example:5000"],
        ["two.example", "config of two.example"],
        ["tok.example", "config of tok.example"],
        ["nobody.example", undefined],
      ]),
    );
    expect(secretSet.redact("password-of-two.example identity-token-xyz")).toBe("[redacted] [redacted]");
  });

  it("answers the token-authority methods UNIMPLEMENTED, so BuildKit falls back to Credentials", async () => {
    const h = await harness(authMethods({ baseImages: [], resolveAuth: async () => undefined }, new Map()));
    for (const name of ["GetTokenAuthority", "VerifyTokenAuthority", "FetchToken"]) {
      await expect(h.call(`/moby.filesync.v1.Auth/${name}`, undefined, undefined, {})).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
    }
  });

  it("a resolver that fails answers UNAVAILABLE naming the host", async () => {
    const h = await harness(authMethods({ baseImages: [], resolveAuth: async () => Promise.reject(new Error("docker-credential-ecr-login timed out")) }, new Map()));
    await expect(h.call("/moby.filesync.v1.Auth/Credentials", "CredentialsRequest", "CredentialsResponse", { Host: "x.example" })).rejects.toMatchObject({
      code: grpc.status.UNAVAILABLE,
      details: "runner-kit could not resolve credentials for x.example: docker-credential-ecr-login timed out",
    });
  });

  it("serves secrets from a file and from the environment, registers their values, and fails an unknown id naming it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rk-secret-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "npmrc"), "//npm.example/:_authToken=file-value\n");
    const secretSet = new SecretSet();
    const missing = new Set<string>();
    const h = await harness(
      secretsMethods({
        secrets: { npmrc: { file: join(dir, "npmrc") }, token: { env: "TOKEN" }, unset: { env: "NOT_SET" }, gone: { file: join(dir, "missing") } },
        env: { TOKEN: "env-value-123" },
        secretSet,
        missing,
      }),
    );
    const get = (id: string) => h.call("/moby.buildkit.secrets.v1.Secrets/GetSecret", "GetSecretRequest", "GetSecretResponse", { ID: id });
    expect(Buffer.from((await get("npmrc")).data as Uint8Array).toString()).toBe("//npm.example/:_authToken=file-value\n");
    expect(Buffer.from((await get("token")).data as Uint8Array).toString()).toBe("env-value-123");
    expect(secretSet.redact("//npm.example/:_authToken=file-value and env-value-123")).toBe("[redacted] and [redacted]");
    // NOT_FOUND, as the docker CLI answers: BuildKit skips a mount that is not required=true.
    await expect(get("nope")).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: expect.stringMatching(/^the build requires the secret "nope" \(RUN --mount=type=secret,id=nope,required=true\) and runner-kit was given none by that id \(it has: npmrc, token, unset, gone\)/),
    });
    expect([...missing]).toEqual(["nope"]);
    await expect(get("unset")).rejects.toMatchObject({ details: 'the build secret "unset" comes from the environment variable NOT_SET, which is not set' });
    await expect(get("gone")).rejects.toMatchObject({ details: `cannot read the file ${join(dir, "missing")} for the build secret "gone" (ENOENT)` });
    // Object.prototype names are not secrets.
    await expect(get("toString")).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });
});

describe("a required secret nobody gave", () => {
  it("is told with its id, the ids given and how to give it; other errors are left alone", () => {
    const missing = new Set(["npmrc"]);
    expect(explainMissingSecret("failed to compute cache key: secret npmrc not found: not found", missing, ["token"])).toBe(
      'the build requires the secret "npmrc" (RUN --mount=type=secret,id=npmrc,required=true) and runner-kit was given none by that id (it has: token); give it with --secret id=npmrc,src=FILE or --secret id=npmrc,env=VAR, or secrets: { npmrc: … } in runner-kit.yaml (the daemon said: failed to compute cache key: secret npmrc not found: not found)',
    );
    expect(explainMissingSecret("secret other not found", missing, [])).toBe("secret other not found");
    expect(explainMissingSecret("exit code: 1", missing, [])).toBe("exit code: 1");
  });
});

describe("which credential a registry host gets", () => {
  it("looks a host up by the build's first FROM image on it, else by the host; Docker Hub's pull host is docker.io", () => {
    const bases = ["registry.example.com/team/base:1", "debian:bookworm", "registry.example.com/other/x"];
    expect(credentialKeyForHost("registry.example.com", bases)).toBe("registry.example.com/team/base:1");
    expect(credentialKeyForHost("registry-1.docker.io", bases)).toBe("debian:bookworm");
    expect(credentialKeyForHost("REGISTRY.example.com", [])).toBe("registry.example.com");
    expect(credentialKeyForHost("registry-1.docker.io", [])).toBe("docker.io");
  });

  it("a refused pull names the host and where its credential came from", () => {
    const served: ServedHosts = new Map([
      ["a.example", "DOCKER_AUTH_CONFIG"],
      ["b.example", undefined],
    ]);
    expect(explainRefusal("failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized from a.example/x", served)).toBe(
      "failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized from a.example/x (runner-kit sent the credentials for a.example from DOCKER_AUTH_CONFIG; check that they are current and may pull from this registry)",
    );
    expect(explainRefusal("pull access denied for b.example/y", served)).toMatch(/\(runner-kit had no credentials for b\.example;/);
    expect(explainRefusal("exit code: 1", served)).toBe("exit code: 1");
  });
});
