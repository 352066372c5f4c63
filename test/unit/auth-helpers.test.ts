import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { helperGet, helperList } from "../../src/auth/helpers.js";
import { resolveRegistryAuth, resolveRegistryCredentials } from "../../src/auth/resolve.js";
import type { AuthSource, DockerConfigFile } from "../../src/auth/types.js";
import { RunnerKitError } from "../../src/common/errors.js";
import { helperWorld, type HelperWorld } from "../fixtures/cred-helpers/helper-env.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const src = (source: string, config: DockerConfigFile): AuthSource => ({ source, config });

let world: HelperWorld;
let warnings: string[];
beforeEach(() => {
  world = helperWorld();
  warnings = [];
});
afterEach(() => world.dispose());

/** True once pid has exited (no process, or a zombie waiting for init to reap it); waits up to 5 s. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    let state: string | undefined;
    try {
      state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
    } catch {
      return true;
    }
    if (state === "Z" || state === "X") return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

const options = (extra: object = {}) => ({ env: world.env, warn: (m: string) => warnings.push(m), ...extra });

describe("credential helper protocol", () => {
  it("get sends the server URL on stdin and reads Username/Secret", async () => {
    world.store({ "registry.example.com": { Username: "alice", Secret: "s3cret" } });
    const run = { env: world.env, timeoutMs: 10_000 };
    expect(await helperGet("rk-file", "registry.example.com", run)).toEqual({ username: "alice", password: "s3cret" });
    expect(await helperGet("rk-file", "unknown.example.com", run)).toBeUndefined();
    expect(world.calls()).toEqual(["get registry.example.com", "get unknown.example.com"]);
  });

  it("list returns the server URLs", async () => {
    world.store({ "a.example.com": { Username: "a", Secret: "x" }, "https://index.docker.io/v1/": { Username: "h", Secret: "y" } });
    expect(await helperList("rk-file", { env: world.env, timeoutMs: 10_000 })).toEqual(["a.example.com", "https://index.docker.io/v1/"]);
  });

  it("a <token> user name is an identity token", async () => {
    world.store({ "tok.example.com": { Username: "<token>", Secret: "id-token" } });
    expect(await helperGet("rk-file", "tok.example.com", { env: world.env, timeoutMs: 10_000 })).toEqual({ username: "", password: "", identityToken: "id-token" });
  });
});

describe("resolveRegistryAuth with credHelpers and credsStore", () => {
  it("credHelpers: runs get with the config key and keeps the key as server address", async () => {
    world.store({ "registry.example.com:5000": { Username: "helper-user", Secret: "helper-pw" } });
    const credential = await resolveRegistryAuth(
      "registry.example.com:5000/team/app:1",
      [src("cfg", { credHelpers: { "registry.example.com:5000": "rk-file" } })],
      options(),
    );
    expect(credential).toEqual({
      registry: "registry.example.com:5000",
      username: "helper-user",
      password: "helper-pw",
      serverAddress: "registry.example.com:5000",
      source: "cfg",
    });
    expect(world.calls()).toEqual(["get registry.example.com:5000"]);
    expect(warnings).toEqual([]);
  });

  it("credsStore: list, then get for each server", async () => {
    world.store({
      "https://index.docker.io/v1/": { Username: "hub-user", Secret: "hub-pw" },
      "store.example.com": { Username: "store-user", Secret: "store-pw" },
    });
    const sources = [src("cfg", { credsStore: "rk-file" })];
    const table = await resolveRegistryCredentials(sources, options());
    expect(table.forImage("debian")).toMatchObject({ registry: "docker.io", username: "hub-user", serverAddress: "https://index.docker.io/v1/" });
    expect(table.forImage("store.example.com/x")).toMatchObject({ username: "store-user", password: "store-pw" });
    expect(world.calls().sort()).toEqual(["get https://index.docker.io/v1/", "get store.example.com", "list unused"]);
  });

  it("within one config: auths, then credsStore, then credHelpers override the same registry", async () => {
    const config: DockerConfigFile = {
      auths: { "a.example.com": { auth: b64("from-auths:x") }, "b.example.com": { auth: b64("from-auths:x") }, "c.example.com": { auth: b64("from-auths:x") } },
      credsStore: "rk-file",
      credHelpers: { "b.example.com": "rk-file" },
    };
    world.store({ "a.example.com": { Username: "from-store", Secret: "x" }, "b.example.com": { Username: "from-store", Secret: "x" } });
    const table = await resolveRegistryCredentials([src("cfg", config)], options());
    expect(table.forImage("a.example.com/x")?.username).toBe("from-store");
    expect(table.forImage("b.example.com/x")?.username).toBe("from-store");
    expect(table.forImage("c.example.com/x")?.username).toBe("from-auths");
    // credHelpers ran for b after the store's get for b.
    expect(world.calls().filter((c) => c === "get b.example.com")).toHaveLength(2);
  });

  it("a helper with nothing stored does not claim the registry: a later source supplies it", async () => {
    const credential = await resolveRegistryAuth(
      "r.example.com/x",
      [src("first", { credHelpers: { "r.example.com": "rk-file" } }), src("second", { auths: { "r.example.com": { username: "u2", password: "p2" } } })],
      options(),
    );
    expect(credential).toMatchObject({ username: "u2", source: "second" });
    expect(warnings).toEqual([]);
  });

  it("a missing helper is a warning naming it, and that whole source is skipped", async () => {
    const credential = await resolveRegistryAuth(
      "r.example.com/x",
      [
        src("DOCKER_AUTH_CONFIG", { auths: { "r.example.com": { username: "skipped", password: "x" } }, credHelpers: { "other.example.com": "nope" } }),
        src("/home/u/.docker/config.json", { auths: { "r.example.com": { username: "used", password: "y" } } }),
      ],
      options(),
    );
    expect(credential).toMatchObject({ username: "used", source: "/home/u/.docker/config.json" });
    expect(warnings).toEqual([
      "Failed to resolve credentials from DOCKER_AUTH_CONFIG: docker-credential-nope was not found on PATH. Credentials from this source will not be used.",
    ]);
  });

  it("helpers are looked up on options.env.PATH only", async () => {
    world.store({ "r.example.com": { Username: "u", Secret: "p" } });
    const env = { ...world.env, PATH: "/usr/bin:/bin" };
    const credential = await resolveRegistryAuth("r.example.com/x", [src("cfg", { credHelpers: { "r.example.com": "rk-file" } })], { env, warn: (m) => warnings.push(m) });
    expect(credential).toBeUndefined();
    expect(warnings[0]).toMatch(/docker-credential-rk-file was not found on PATH/);
  });

  it("a hanging helper is stopped at the time limit with what it started, warned about, and its source skipped", async () => {
    const pidFile = join(world.env.RK_CRED_STORE!, "..", "hang.pid");
    const credential = await resolveRegistryAuth(
      "r.example.com/x",
      [src("hangs", { credsStore: "rk-hang" }), src("next", { auths: { "r.example.com": { username: "next", password: "p" } } })],
      options({ helperTimeoutMs: 300, env: { ...world.env, RK_HANG_PID_FILE: pidFile } }),
    );
    // The helper's own child (sleep) was killed with it: the whole process group is gone.
    const childPid = Number(readFileSync(pidFile, "utf8").trim());
    expect(childPid).toBeGreaterThan(0);
    expect(await gone(childPid)).toBe(true);
    expect(credential).toMatchObject({ username: "next" });
    expect(warnings).toEqual([
      "Failed to resolve credentials from hangs: docker-credential-rk-hang list did not answer within 300ms and was stopped. Credentials from this source will not be used.",
    ]);
  });

  it("an abort stops a running helper and the resolution, instead of skipping the source", async () => {
    const controller = new AbortController();
    const reason = new Error("interrupted by SIGINT");
    const pending = resolveRegistryAuth(
      "r.example.com/x",
      [src("hangs", { credsStore: "rk-hang" }), src("next", { auths: { "r.example.com": { username: "next", password: "p" } } })],
      options({ signal: controller.signal, helperTimeoutMs: 60_000 }),
    );
    setTimeout(() => controller.abort(reason), 200);
    await expect(pending).rejects.toBe(reason);
    expect(warnings).toEqual([]);
  });

  it("a helper printing garbage is a warning and the source is skipped", async () => {
    const credential = await resolveRegistryAuth("r.example.com/x", [src("cfg", { credHelpers: { "r.example.com": "rk-garbage" } })], options());
    expect(credential).toBeUndefined();
    expect(warnings).toEqual([
      'Failed to resolve credentials from cfg: docker-credential-rk-garbage get printed something that is not the credentials JSON {"ServerURL","Username","Secret"}. Credentials from this source will not be used.',
    ]);
  });

  it("a failing helper's message and exit code are in the warning", async () => {
    await resolveRegistryAuth("r.example.com/x", [src("cfg", { credHelpers: { "r.example.com": "rk-fail" } })], options());
    expect(warnings).toEqual([
      "Failed to resolve credentials from cfg: docker-credential-rk-fail get failed (exit code 1): error getting credentials - err: exit status 1, out: `keychain is locked`. Credentials from this source will not be used.",
    ]);
  });

  it.each([
    [{ credHelpers: { "r.example.com": "../../tmp/evil" } }, '"credHelpers" entry "r.example.com" of cfg'],
    [{ credsStore: "/usr/bin/evil" }, '"credsStore" of cfg'],
    [{ credHelpers: { "r.example.com": "dir\\evil" } }, '"credHelpers" entry "r.example.com" of cfg'],
  ] as [DockerConfigFile, string][])("a helper name with a path is a configuration error (%j)", async (config, where) => {
    // An earlier source's helper must not even run.
    const error = await resolveRegistryAuth("r.example.com/x", [src("first", { credsStore: "rk-file" }), src("cfg", config)], options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnerKitError);
    expect((error as RunnerKitError).kind).toBe("config");
    expect((error as RunnerKitError).message).toContain("path traversal is not allowed");
    expect((error as RunnerKitError).message).toContain(where);
    expect(world.calls()).toEqual([]);
  });

  it("never puts a secret in a warning", async () => {
    world.store({ "ok.example.com": { Username: "u", Secret: "very-secret-value" } });
    await resolveRegistryAuth(
      "ok.example.com/x",
      [src("cfg", { auths: { "x.example.com": { username: "u", password: "other-secret-value" } }, credsStore: "rk-file", credHelpers: { "y.example.com": "rk-fail" } })],
      options(),
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).not.toMatch(/very-secret-value|other-secret-value/);
  });
});
