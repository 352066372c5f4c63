import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { dockerAuthConfig, registryConfigHeader, registryConfigMap } from "../../src/auth/daemon-auth.js";
import { resolveRegistryAuth } from "../../src/auth/resolve.js";
import { loadAuthSources } from "../../src/auth/sources.js";
import type { RegistryCredential } from "../../src/auth/types.js";
import { packDirectory } from "../support/tar.js";
import { newRunId, runLabels } from "../../src/engine/labels.js";
import { readProgress, StreamError } from "../../src/engine/progress.js";
import { removeManagedResources } from "../support/resources.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { helperWorld, type HelperWorld } from "../fixtures/cred-helpers/helper-env.js";

/**
 * Credentials from each source kind, resolved by resolveRegistryAuth and handed to the real
 * engine as dockerode's `authconfig`: the push to the htpasswd registry and the pull back
 * only work when the resolved credentials are the registry's.
 */
describe("registry auth against the real registry", () => {
  const registry = inject("registry");
  const runId = newRunId();
  const repoBase = `${registry.host}/rk-auth-${runId}`;
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  let work: string;
  let world: HelperWorld;
  const images = new Set<string>();

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "rk-auth-it-"));
    world = helperWorld();
  });

  afterAll(async () => {
    const d = await docker();
    for (const ref of [...images].reverse()) await d.getImage(ref).remove({ force: true }).catch(() => {});
    await removeManagedResources(d, runId);
    world.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  /** A home directory with the given ~/.docker/config.json (or none). */
  function home(name: string, config?: object): string {
    const dir = join(work, name);
    mkdirSync(join(dir, ".docker"), { recursive: true });
    if (config) writeFileSync(join(dir, ".docker", "config.json"), JSON.stringify(config), { mode: 0o600 });
    return dir;
  }

  /** A tiny image FROM busybox:latest with one unique file, tagged `ref`. */
  async function buildTiny(d: Docker, ref: string, from = "busybox:latest", buildOptions: object = {}): Promise<void> {
    const dir = mkdtempSync(join(work, "ctx-"));
    writeFileSync(join(dir, "nonce"), `${ref} ${runId}\n`);
    writeFileSync(join(dir, "Dockerfile"), `FROM ${from}\nCOPY nonce /nonce\nLABEL io.runner-kit.test=${runId}\n`);
    images.add(ref);
    await readProgress(await d.buildImage(packDirectory(dir), { t: ref, rm: true, forcerm: true, ...buildOptions }));
  }

  /** Push with the credential, remove locally, pull back with it; returns the pushed digest. */
  async function pushAndPull(d: Docker, ref: string, credential: RegistryCredential): Promise<string> {
    const authconfig = dockerAuthConfig(credential);
    const events = await readProgress(await d.getImage(ref).push({ authconfig }));
    const digest = events.map((e) => /digest: (sha256:[0-9a-f]{64})/.exec(e.status ?? "")?.[1]).find(Boolean);
    expect(digest, JSON.stringify(events)).toBeDefined();
    await d.getImage(ref).remove({ force: true });
    await readProgress(await d.pull(ref, { authconfig }));
    const inspected = await d.getImage(ref).inspect();
    expect(inspected.RepoDigests).toContain(`${ref.split(":").slice(0, -1).join(":")}@${digest}`);
    expect(inspected.Config.Labels?.["io.runner-kit.test"]).toBe(runId);
    return digest!;
  }

  /** DOCKER_AUTH_CONFIG for the test registry with the given password. */
  const authConfigEnv = (password: string) => ({
    DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [registry.host]: { auth: b64(`${registry.username}:${password}`) } } }),
  });

  /** Build, push and pull back `ref` with the credential, then check nothing labelled is left. */
  async function roundTrip(ref: string, credential: RegistryCredential | undefined): Promise<void> {
    expect(credential).toBeDefined();
    const d = await docker();
    await buildTiny(d, ref);
    await pushAndPull(d, ref, credential!);
    await expectNoLeaks(runId);
  }

  it("DOCKER_AUTH_CONFIG", async () => {
    const ref = `${repoBase}/env:v1`;
    const env = authConfigEnv(registry.password);
    const sources = await loadAuthSources({ env, homeDir: home("env-home") });
    const credential = await resolveRegistryAuth(ref, sources, { env: world.env });
    expect(credential).toMatchObject({ registry: registry.host, username: registry.username, source: "DOCKER_AUTH_CONFIG" });
    await roundTrip(ref, credential);
  });

  it("config.json auths keyed by the http:// URL", async () => {
    const ref = `${repoBase}/auths:v1`;
    const dir = home("auths-home", { auths: { [`http://${registry.host}/v2/`]: { username: registry.username, password: registry.password } } });
    const sources = await loadAuthSources({ env: {}, homeDir: dir });
    const credential = await resolveRegistryAuth(ref, sources, { env: world.env });
    expect(credential).toMatchObject({ registry: registry.host, source: join(dir, ".docker", "config.json") });
    await roundTrip(ref, credential);
  });

  it("a credHelpers helper on PATH, for the repository's own path", async () => {
    const ref = `${repoBase}/helper:v1`;
    world.store({ [`${registry.host}/rk-auth-${runId}`]: { Username: registry.username, Secret: registry.password } });
    const dir = home("helper-home", {
      // The host-wide entry is wrong; the longer path through the helper must win.
      auths: { [registry.host]: { username: registry.username, password: "wrong-password" } },
      credHelpers: { [`${registry.host}/rk-auth-${runId}`]: "rk-file" },
    });
    const warnings: string[] = [];
    const credential = await resolveRegistryAuth(ref, await loadAuthSources({ env: {}, homeDir: dir }), { env: world.env, warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    expect(credential).toMatchObject({ registry: `${registry.host}/rk-auth-${runId}`, username: registry.username });
    await roundTrip(ref, credential);
  });

  it("a credsStore helper on PATH (list, then get)", async () => {
    const ref = `${repoBase}/store:v1`;
    world.store({ [registry.host]: { Username: registry.username, Secret: registry.password } });
    const dir = home("store-home", { auths: { [registry.host]: {} }, credsStore: "rk-file" });
    const credential = await resolveRegistryAuth(ref, await loadAuthSources({ env: {}, homeDir: dir }), { env: world.env });
    expect(credential).toMatchObject({ registry: registry.host, username: registry.username, serverAddress: registry.host });
    expect(world.calls()).toContain("list unused");
    await roundTrip(ref, credential);
  });

  it("a wrong password: the push fails with the registry's error from the stream", async () => {
    const d = await docker();
    const ref = `${repoBase}/wrong:v1`;
    const env = authConfigEnv("not-the-password");
    const credential = await resolveRegistryAuth(ref, await loadAuthSources({ env, homeDir: home("wrong-home") }), { env: world.env });
    expect(credential?.password).toBe("not-the-password");
    await buildTiny(d, ref);
    const error = await readProgress(await d.getImage(ref).push({ authconfig: dockerAuthConfig(credential!) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).message).toMatch(/unauthorized|authentication required|no basic auth/i);
    expect((error as StreamError).message).not.toContain(registry.password);
    await expectNoLeaks(runId);
  });

  it("a private FROM builds only with X-Registry-Config passed pre-encoded (not without it, not as a plain object)", async () => {
    const d = await docker();
    const base = `${repoBase}/private-base:v1`;
    const env = authConfigEnv(registry.password);
    const sources = await loadAuthSources({ env, homeDir: home("from-home") });
    const credential = (await resolveRegistryAuth(base, sources, { env: world.env }))!;
    await buildTiny(d, base);
    await pushAndPull(d, base, credential);
    await d.getImage(base).remove({ force: true });

    // Without credentials the daemon cannot pull the base.
    const denied = await buildTiny(d, `${repoBase}/derived-denied:v1`, base).catch((e: unknown) => e);
    expect(String(denied)).toMatch(/unauthorized|authentication required|no basic auth|denied/i);

    // A second credential whose password makes standard base64 carry "+" ("~~~" → "fn5+").
    const credentials = [credential, { ...credential, registry: "pad.example.com", serverAddress: "pad.example.com", password: "~~~~~~~~~" }];
    expect(Buffer.from(JSON.stringify(registryConfigMap(credentials))).toString("base64")).toContain("+");

    // The pitfall: a plain object is encoded by docker-modem with standard base64, which the
    // daemon fails to decode and silently ignores, so the pull is unauthenticated.
    const plain = await buildTiny(d, `${repoBase}/derived-plain:v1`, base, { registryconfig: registryConfigMap(credentials) }).catch((e: unknown) => e);
    expect(String(plain)).toMatch(/unauthorized|authentication required|no basic auth|denied/i);

    const derived = `${repoBase}/derived:v1`;
    await buildTiny(d, derived, base, { registryconfig: { base64: registryConfigHeader(credentials) } });
    const inspected = await d.getImage(derived).inspect();
    expect(inspected.Config.Labels?.["io.runner-kit.test"]).toBe(runId);
    images.add(base);
    await expectNoLeaks(runId);
  });

  it("a container from the pulled image shows the pushed content and is removed", async () => {
    const d = await docker();
    const ref = `${repoBase}/run:v1`;
    const env = authConfigEnv(registry.password);
    const credential = (await resolveRegistryAuth(ref, await loadAuthSources({ env, homeDir: home("run-home") }), { env: world.env }))!;
    await buildTiny(d, ref);
    await pushAndPull(d, ref, credential);
    const container = await d.createContainer({ Image: ref, Cmd: ["cat", "/nonce"], Labels: runLabels(runId) });
    try {
      await container.start();
      await container.wait();
      expect((await container.logs({ stdout: true, stderr: true })).toString("utf8")).toContain(runId);
    } finally {
      await container.remove({ force: true });
    }
    await expectNoLeaks(runId);
  });
});
