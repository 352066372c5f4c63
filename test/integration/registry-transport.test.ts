import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, fetch as undiciFetch } from "undici";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { RegistryClient, RegistryHttpError } from "../../src/push/registry-api.js";
import { registryTransport } from "../../src/push/registry-transport.js";
import { runInProcess } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { ensureFixtureImage } from "../support/images.js";
import { writeProjectFile } from "../support/project-files.js";
import { startCountingProxy, type CountingProxy } from "../support/proxy.js";
import { startRegistry, stopRegistry, type TestRegistry } from "../support/registry.js";
import { makeTlsCerts } from "../support/tls-certs.js";

/**
 * runner-kit's own registry calls honour what the daemon honours: a real registry on a
 * private CA that requires a client certificate (certs.d/<host>/ca.crt, client.cert,
 * client.key), and a real proxy that counts what it carries (HTTPS_PROXY, HTTP_PROXY, NO_PROXY).
 */
describe("registry calls through certs.d and proxies", () => {
  const runId = newRunId();
  const plain = inject("registry");
  let dir: string;
  let tlsDir: string;
  let certsDir: string;
  let secure: TestRegistry;
  let proxy: CountingProxy;
  const repo = `rk-tls-${runId}/app`;
  let manifestDigest: string;

  const pem = (file: string) => readFileSync(join(tlsDir, file), "utf8");

  /** Upload a config blob with a label and a manifest that names it, straight through the v2 API. */
  async function seedImage(): Promise<void> {
    const dispatcher = new Agent({ connect: { ca: pem("ca.pem"), cert: pem("cert.pem"), key: pem("key.pem") } });
    const auth = { Authorization: `Basic ${Buffer.from(`${secure.username}:${secure.password}`).toString("base64")}` };
    const base = `https://${secure.host}/v2/${repo}`;
    const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
    const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: { Labels: { run: runId } }, rootfs: { type: "layers", diff_ids: [] } }));
    const start = await undiciFetch(`${base}/blobs/uploads/`, { method: "POST", headers: auth, dispatcher });
    expect(start.status).toBe(202);
    const location = new URL(start.headers.get("location")!, `https://${secure.host}`);
    location.searchParams.set("digest", sha(config));
    const put = await undiciFetch(location, { method: "PUT", headers: { ...auth, "Content-Type": "application/octet-stream" }, body: config, dispatcher });
    expect(put.status).toBe(201);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        config: { mediaType: "application/vnd.docker.container.image.v1+json", size: config.length, digest: sha(config) },
        layers: [],
      }),
    );
    const tagged = await undiciFetch(`${base}/manifests/v1`, { method: "PUT", headers: { ...auth, "Content-Type": "application/vnd.docker.distribution.manifest.v2+json" }, body: manifest, dispatcher });
    expect(tagged.status, await tagged.text()).toBe(201);
    manifestDigest = sha(manifest);
    await dispatcher.close();
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rk-transport-"));
    tlsDir = join(dir, "tls");
    writeProjectFile(tlsDir, ".keep", "");
    await makeTlsCerts(tlsDir);
    secure = await startRegistry(await docker(), await ensureFixtureImage(await docker(), "registry"), runId, { tlsDir });
    certsDir = join(dir, "certs.d");
    writeProjectFile(certsDir, `${secure.host}/ca.crt`, pem("ca.pem"));
    writeProjectFile(certsDir, `${secure.host}/client.cert`, pem("cert.pem"));
    writeProjectFile(certsDir, `${secure.host}/client.key`, pem("key.pem"));
    proxy = await startCountingProxy();
    await seedImage();
  });

  afterAll(async () => {
    await proxy?.close();
    if (secure) await stopRegistry(await docker(), secure);
    await (await docker()).getImage(`${plain.host}/rk-proxy-${runId}/app:v1`).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  const client = (env: NodeJS.ProcessEnv, certs = certsDir) =>
    new RegistryClient({ domain: secure.host, insecure: false, username: secure.username, password: secure.password }, registryTransport({ env, certsDir: certs }));

  it("reads a manifest and its labels from a registry on a private CA with the certs.d CA and client certificate", async () => {
    expect(await client({}).imageLabels(repo, "v1")).toEqual({ digest: manifestDigest, labels: { run: runId } });
    expect(await client({}).manifestDigest(repo, "absent")).toBeUndefined();
  });

  it("without the certs.d folder the registry's certificate is not trusted", async () => {
    const error = await client({}, join(dir, "empty-certs.d")).manifestDigest(repo, "v1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryHttpError);
    expect((error as Error).message).toMatch(new RegExp(`^cannot reach the registry ${secure.host} \\(.*(CERT|SELF_SIGNED|UNABLE_TO)`));
  });

  it("HTTPS_PROXY carries the calls through a CONNECT tunnel; NO_PROXY bypasses it", async () => {
    const before = proxy.seen.length;
    expect(await client({ HTTPS_PROXY: proxy.url }).manifestDigest(repo, "v1")).toBe(manifestDigest);
    expect(proxy.seen.slice(before)).toContain(`CONNECT ${secure.host}`);

    const bypassed = proxy.seen.length;
    expect(await client({ https_proxy: proxy.url, NO_PROXY: "127.0.0.1" }).manifestDigest(repo, "v1")).toBe(manifestDigest);
    expect(proxy.seen.length).toBe(bypassed);
  });

  it("`runner-kit build --push` sends its registry calls through HTTP_PROXY", async () => {
    const project = join(dir, "project");
    writeProjectFile(project, "runner-kit.yaml", `registry: ${plain.host}/rk-proxy-${runId}\ntemplates: templates\nimages:\n  app:\n    template: app\n    context: ctx\n    tags: [v1]\n`);
    writeProjectFile(project, "templates/app/Dockerfile.hbs", `FROM busybox:latest\nLABEL run=${runId}\n`);
    writeProjectFile(project, "ctx/.keep", "");
    const auth = JSON.stringify({ auths: { [plain.host]: { auth: Buffer.from(`${plain.username}:${plain.password}`).toString("base64") } } });
    const env = { PATH: process.env.PATH, HOME: dir, NO_COLOR: "1", RUNNER_KIT_RUN_ID: runId, DOCKER_AUTH_CONFIG: auth, HTTP_PROXY: proxy.url, ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}) };
    const before = proxy.seen.length;
    const r = await runInProcess(["build", "--push"], { cwd: project, env });
    expect(r.code, r.stderr).toBe(0);
    const carried = proxy.seen.slice(before);
    // undici tunnels plain HTTP through CONNECT too; a forwarding proxy would see the request line.
    expect(carried.some((line) => line === `CONNECT ${plain.host}` || line.includes(`http://${plain.host}/v2/`)), carried.join("\n")).toBe(true);
    expect(r.stderr).not.toContain(plain.password);
  });
});
