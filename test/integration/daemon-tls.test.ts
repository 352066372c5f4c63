/**
 * runner-kit against a Docker daemon that only speaks TLS with client certificates on tcp —
 * what docker:dind gives a GitLab CI job (DOCKER_HOST=tcp://docker:2376, DOCKER_TLS_VERIFY=1,
 * DOCKER_CERT_PATH). Both clients are exercised: `smoke` (the thin node:http client, with
 * attach over an upgraded TLS connection and the project copied in) and `build` (dockerode).
 * The daemon is the test's own (PrivateDaemon), so the shared one is untouched.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { countResources, listManagedResources } from "../support/resources.js";
import { runBin } from "../support/cli.js";
import { freePort } from "../support/free-port.js";
import { PrivateDaemon } from "../support/private-daemon.js";
import { writeProjectFiles } from "../support/project-files.js";
import { makeTlsCerts } from "../support/tls-certs.js";

describe("a daemon on tcp with TLS client certificates (as docker:dind in CI)", () => {
  const runId = newRunId();
  const root = mkdtempSync(join(tmpdir(), "rk-tls-"));
  const certs = join(root, "certs");
  const strangerCerts = join(root, "stranger");
  const project = join(root, "project");
  let daemon: PrivateDaemon;
  let port: number;
  const env = (certPath = certs) => ({
    PATH: process.env.PATH,
    HOME: root,
    NO_COLOR: "1",
    RUNNER_KIT_RUN_ID: runId,
    DOCKER_HOST: `tcp://127.0.0.1:${port}`,
    DOCKER_TLS_VERIFY: "1",
    DOCKER_CERT_PATH: certPath,
  });

  beforeAll(async () => {
    mkdirSync(certs);
    mkdirSync(strangerCerts);
    await makeTlsCerts(certs);
    await makeTlsCerts(strangerCerts, "someone-else");
    port = await freePort();
    daemon = new PrivateDaemon([
      `--host=tcp://127.0.0.1:${port}`,
      "--tlsverify",
      `--tlscacert=${join(certs, "ca.pem")}`,
      `--tlscert=${join(certs, "server-cert.pem")}`,
      `--tlskey=${join(certs, "server-key.pem")}`,
    ]);
    await daemon.start();
    await daemon.loadFrom("busybox:latest", process.env.DOCKER_HOST);
    writeProjectFiles(project, {
      "runner-kit.yaml": [`registry: tls.test/rk-${runId}`, "templates: templates", "images:", "  app:", "    template: app", "    context: .", "    tags: [v1]", ""].join("\n"),
      "templates/app/Dockerfile.hbs": "FROM busybox:latest\nRUN echo built-over-tls | tee /built\n",
      "payload.txt": `payload-${runId}\n`,
      "ci.yml": ["check:", "  image: busybox:latest", "  script:", "    - echo \"job saw $(cat payload.txt)\"", "    - grep -q payload payload.txt", ""].join("\n"),
    });
  }, 300_000);

  afterAll(async () => {
    await daemon?.remove();
    rmSync(root, { recursive: true, force: true });
  });

  async function expectNothingLeftOnDaemon(): Promise<void> {
    const left = await listManagedResources(daemon.client(), runId);
    expect(countResources(left), JSON.stringify(left)).toBe(0);
  }

  it("smoke runs a job over TLS: attach, script on stdin, project copied in, nothing left", async () => {
    const r = await runBin(["smoke", "--job", "ci.yml#check", "--pull-policy", "never"], { cwd: project, env: env(), timeoutMs: 180_000 });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(`${r.stdout}\n${r.stderr}`).toContain(`job saw payload-${runId}`);
    await expectNothingLeftOnDaemon();
  });

  it("build runs over TLS through dockerode with the same certificate files", async () => {
    const r = await runBin(["build"], { cwd: project, env: env(), timeoutMs: 300_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(`${r.stdout}\n${r.stderr}`).toContain("built-over-tls");
    const image = await daemon.client().getImage(`tls.test/rk-${runId}/app:v1`).inspect();
    expect(image.Id).toMatch(/^sha256:/);
    await expectNothingLeftOnDaemon();
  });

  it("a client certificate from another CA: one clear paragraph naming the daemon, no stack", async () => {
    const r = await runBin(["smoke", "--job", "ci.yml#check", "--pull-policy", "never"], { cwd: project, env: env(strangerCerts), timeoutMs: 120_000 });
    expect(r.code, r.stderr).not.toBe(0);
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("runner-kit:"));
    expect(errors, r.stderr).toHaveLength(1);
    expect(errors[0]).toContain(`the Docker daemon at tcp://127.0.0.1:${port} and runner-kit could not agree on TLS`);
    expect(errors[0]).toContain(strangerCerts);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    await expectNothingLeftOnDaemon();
  });
});
