import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { runInProcess } from "../support/cli.js";
import { freePort } from "../support/free-port.js";
import { writeProjectFile } from "../support/project-files.js";
import { dockerAuthConfigFor } from "../support/registry.js";

interface Doc {
  ok: boolean;
  problems: number;
  checks: { area: string; subject: string; status: string; detail: string; fix?: string }[];
}

/**
 * `runner-kit doctor` against the real daemon and the test registry (distribution with
 * htpasswd): right and wrong credentials, a registry nothing listens on, a credential helper
 * that is not on PATH, and outside a project. Its base image (busybox:latest) is on the
 * daemon, so Docker Hub is never contacted.
 */
describe("runner-kit doctor", () => {
  const registry = inject("registry");
  const runId = newRunId();
  let dir: string;

  const project = (name: string, registryHost: string) => {
    writeProjectFile(dir, `${name}/runner-kit.yaml`, `registry: ${registryHost}/rk-doctor-${runId}\ntemplates: templates\nimages:\n  app:\n    template: app\n    tags: [v1]\n`);
    writeProjectFile(dir, `${name}/templates/app/Dockerfile.hbs`, "FROM busybox:latest\nRUN true\n");
    return join(dir, name);
  };
  const run = (cwd: string, argv: string[], env: NodeJS.ProcessEnv = {}) =>
    runInProcess(["doctor", ...argv], {
      cwd,
      env: { PATH: process.env.PATH, HOME: join(dir, "home"), NO_COLOR: "1", RUNNER_KIT_RUN_ID: runId, ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}), ...env },
    });
  const json = (stdout: string) => JSON.parse(stdout) as Doc;
  const registryCheck = (doc: Doc, domain: string) => doc.checks.find((c) => c.area === "registry" && c.subject === domain);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rk-doctor-"));
    project("good", registry.host);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("all is well with the right credentials: daemon, builder, platforms, the registry accepting them (exit 0, no secret shown)", async () => {
    const r = await run(join(dir, "good"), [], { DOCKER_AUTH_CONFIG: dockerAuthConfigFor(registry) });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok {7}daemon {7}unix:\/\/\/var\/run\/docker\.sock: found by .*; Docker \d+\.\d+\.\d+.*, API 1\.\d+, linux\/amd64$/m);
    expect(r.stdout).toMatch(/^ok +builder +(BuildKit|classic): /m);
    // test/support/seed-arm64.sh registers qemu-aarch64 for the arm64 tests (qemu-user-static registers every emulator it has).
    expect(r.stdout).toMatch(/^ok +platforms +linux\/amd64(, linux\/[a-z0-9]+(\/v[0-9])?)*: /m);
    expect(r.stdout).toMatch(/^ok +platforms .*linux\/arm64.* emulated through binfmt_misc \(.*qemu-aarch64/m);
    expect(r.stdout).toMatch(new RegExp(`^ok +registry +${registry.host.replace(/\./g, "\\.")}: reachable over HTTP; accepts the credentials from DOCKER_AUTH_CONFIG — push`, "m"));
    expect(r.stdout).toMatch(/^skipped +registry +docker\.io: not contacted: every image .* on the daemon \(busybox:latest\)$/m);
    expect(r.stdout).toMatch(/All is well\.\n$/);
    expect(r.stdout + r.stderr).not.toContain(registry.password);
    expect(r.stdout + r.stderr).not.toContain(Buffer.from(`${registry.username}:${registry.password}`).toString("base64"));
  });

  it("wrong credentials: exit 1, the registry refused them, their source named, the password never shown", async () => {
    writeProjectFile(dir, "wrong-docker/config.json", dockerAuthConfigFor(registry, "wrong-password-123"));
    const r = await run(join(dir, "good"), ["--json"], { DOCKER_CONFIG: join(dir, "wrong-docker") });
    expect(r.code).toBe(1);
    const doc = json(r.stdout);
    expect(doc).toMatchObject({ ok: false, problems: 1 });
    expect(registryCheck(doc, registry.host)).toMatchObject({
      status: "problem",
      detail: expect.stringContaining(`refused the credentials from ${join(dir, "wrong-docker", "config.json")} (HTTP 401)`),
      fix: expect.stringContaining(`docker login ${registry.host}`),
    });
    expect(r.stderr).toMatch(new RegExp(`^runner-kit: doctor found 1 problem for runner-kit\\.yaml: registry ${registry.host.replace(/\./g, "\\.")}\\.`, "m"));
    expect(r.stdout + r.stderr).not.toContain("wrong-password-123");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("no credentials at all for an authenticated registry: it asks for them and none is found", async () => {
    const r = await run(join(dir, "good"), ["--json"]);
    expect(r.code).toBe(1);
    expect(registryCheck(json(r.stdout), registry.host)).toMatchObject({ status: "problem", detail: expect.stringMatching(/^asks for credentials \(HTTP 401\) and no source has any for it/) });
  });

  it("a registry nothing listens on: unreachable, with what to check", async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const cwd = project("dead", dead);
    const r = await run(cwd, []);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^PROBLEM +registry +${dead.replace(/\./g, "\\.")}: cannot reach the registry ${dead.replace(/\./g, "\\.")} \\(ECONNREFUSED\\); needed for push`, "m"));
    expect(r.stdout).toMatch(/^ +fix: check the host name and port; behind a proxy set HTTPS_PROXY/m);
  });

  it("a credential helper that is not on PATH: a problem naming the helper and where it is configured, and the registry without credentials", async () => {
    writeProjectFile(dir, "helper-docker/config.json", JSON.stringify({ credHelpers: { [registry.host]: "rk-nowhere" } }));
    const r = await run(join(dir, "good"), ["--json"], { DOCKER_CONFIG: join(dir, "helper-docker") });
    expect(r.code).toBe(1);
    const doc = json(r.stdout);
    expect(doc.checks.find((c) => c.area === "helper")).toMatchObject({
      subject: "docker-credential-rk-nowhere",
      status: "problem",
      detail: expect.stringContaining(`named in ${join(dir, "helper-docker", "config.json")} but not on PATH`),
      fix: expect.stringContaining("install docker-credential-rk-nowhere"),
    });
    expect(registryCheck(doc, registry.host)).toMatchObject({ status: "problem", detail: expect.stringContaining("docker-credential-rk-nowhere was not found on PATH") });
  });

  it("a helper on PATH that answers with the right credentials is used", async () => {
    const bin = join(dir, "bin");
    writeProjectFile(dir, "bin/docker-credential-rk-test", `#!/bin/sh\ncat >/dev/null\nprintf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "${registry.host}" "${registry.username}" "${registry.password}"\n`);
    chmodSync(join(bin, "docker-credential-rk-test"), 0o755);
    writeProjectFile(dir, "ok-helper/config.json", JSON.stringify({ credHelpers: { [registry.host]: "rk-test" } }));
    const r = await run(join(dir, "good"), [], { DOCKER_CONFIG: join(dir, "ok-helper"), PATH: `${bin}:${process.env.PATH}` });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok +helper +docker-credential-rk-test: on PATH at /m);
    expect(r.stdout).toContain(`accepts the credentials from ${join(dir, "ok-helper", "config.json")}`);
    expect(r.stdout + r.stderr).not.toContain(registry.password);
  });

  it("outside a project: the project checks are skipped and the report says so (exit 0); -c naming a missing file is a usage error (exit 2)", async () => {
    const outside = mkdtempSync(join(dir, "outside-"));
    const r = await run(outside, []);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^skipped +project +.*: no runner-kit\.yaml here, so the project checks .* were skipped/m);
    expect(r.stdout).not.toMatch(/registry /);
    const missing = await runInProcess(["-c", "nope.yaml", "doctor"], { cwd: outside, env: { PATH: process.env.PATH, HOME: join(dir, "home"), NO_COLOR: "1" } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^runner-kit: -c\/--config names .*nope\.yaml, which does not exist\. Pass the path/m);
    expect(missing.stdout).toBe("");
  });
});
