import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDocker, connectEngine, pingDocker } from "../../src/engine/client.js";
import { newRunId } from "../../src/engine/labels.js";
import { runInProcess } from "../support/cli.js";
import { docker, testDocker } from "../support/docker.js";
import { writeProjectFile } from "../support/project-files.js";

/** Docker contexts as `docker context create` writes them, found the way the docker CLI finds them. */
describe("daemon discovery through Docker contexts", () => {
  const runId = newRunId();
  let dir: string;
  let configDir: string;

  const context = (name: string, host: string) => {
    const id = createHash("sha256").update(name).digest("hex");
    writeProjectFile(configDir, `contexts/meta/${id}/meta.json`, JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
  };
  /** No DOCKER_HOST: the context decides. */
  const env = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: dir, NO_COLOR: "1", RUNNER_KIT_RUN_ID: runId, DOCKER_CONFIG: configDir, ...extra });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rk-context-"));
    configDir = join(dir, "docker-config");
    const { address } = await testDocker();
    if (address.kind !== "unix" && !(address.kind === "tcp" && !address.tls)) throw new Error(`this test needs the test daemon on a socket or plain tcp, not ${address.display}`);
    context("real", address.kind === "unix" ? `unix://${address.socketPath}` : `tcp://${address.host}:${address.port}`);
    context("dead", `unix://${join(dir, "dead.sock")}`);
    writeProjectFile(dir, "runner-kit.yaml", `registry: 127.0.0.1:5999/rk\ntemplates: templates\nimages:\n  app:\n    template: app\n    context: ctx\n    tags: [v1]\n`);
    writeProjectFile(dir, "templates/app/Dockerfile.hbs", `FROM busybox:latest\nLABEL run=${runId}\n`);
    writeProjectFile(dir, "ctx/.keep", "");
  });

  afterAll(async () => {
    await (await docker()).getImage(`127.0.0.1:5999/rk/app:v1`).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("both Docker clients reach the daemon a DOCKER_CONTEXT names", async () => {
    const viaDockerode = await connectDocker(env({ DOCKER_CONTEXT: "real" }));
    await pingDocker(viaDockerode);
    expect(viaDockerode.address.tried[1]).toMatch(/^DOCKER_CONTEXT: context "real" → /);
    const viaHttp = await connectEngine(env({ DOCKER_CONTEXT: "real" }));
    await pingDocker({ docker: viaHttp.engine, address: viaHttp.address });
    expect(viaHttp.address.display).toBe(viaDockerode.address.display);
  });

  it("`runner-kit build` builds through the context", async () => {
    const r = await runInProcess(["build", "--json"], { cwd: dir, env: env({ DOCKER_CONTEXT: "real" }) });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { images: { status: string }[] }).images.map((i) => i.status)).toEqual(["built"]);
    const inspect = await (await docker()).getImage("127.0.0.1:5999/rk/app:v1").inspect();
    expect(inspect.Config.Labels?.run).toBe(runId);
  });

  it("a current context at a dead socket fails with exit 2, listing every place tried", async () => {
    writeProjectFile(configDir, "config.json", JSON.stringify({ currentContext: "dead" }));
    const r = await runInProcess(["build"], { cwd: dir, env: env({}) });
    expect(r.code).toBe(2);
    const dead = `unix://${join(dir, "dead.sock")}`;
    expect(r.stderr).toContain(`no Docker daemon answers at ${dead} (connect ENOENT ${join(dir, "dead.sock")}); tried, in order: DOCKER_HOST (not set); currentContext in ${join(configDir, "config.json")}: context "dead" → ${dead}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
