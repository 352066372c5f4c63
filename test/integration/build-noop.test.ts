import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { projectEnv, runBin, runInProject } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { writeProjectFiles } from "../support/project-files.js";

/** The daemon's own socket (the tests' daemon is a local one). */
const DAEMON_SOCKET = process.env.DOCKER_HOST?.startsWith("unix://") ? process.env.DOCKER_HOST.slice("unix://".length) : "/var/run/docker.sock";

/** A unix socket in front of the daemon that records every Engine API request it forwards (plain requests only). */
async function recordingSocket(path: string): Promise<{ seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${decodeURIComponent(req.url ?? "")}`);
    const upstream = request({ socketPath: DAEMON_SOCKET, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * The no-op build (issue 18): when every image is up to date, `runner-kit build` asks the
 * daemon for one image list — no per-image inspects, no GET /version (the builder is chosen
 * only when something is built) — and never loads dockerode.
 */
describe("runner-kit build with nothing to build", () => {
  const runId = newRunId();
  const prefix = `noop.test/rk-${runId}`;
  const images = ["one", "two", "three"];
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rk-noop-"));
    const yaml = [`registry: ${prefix}`, "templates: templates", "images:"];
    const files: Record<string, string> = { "templates/small/Dockerfile.hbs": "FROM busybox:latest\nARG N\nCOPY payload.txt /payload.txt\n" };
    for (const [i, name] of images.entries()) {
      yaml.push(`  ${name}:`, "    template: small", `    context: ctx/${name}`, `    args: { N: "${i}" }`, "    tags: [v1, latest]");
      files[`ctx/${name}/payload.txt`] = `${name} ${runId}\n`;
    }
    writeProjectFiles(dir, { ...files, "runner-kit.yaml": `${yaml.join("\n")}\n` });
    const first = await runInProject(dir, runId, ["build", "--json"]);
    expect(first.code, first.stderr).toBe(0);
  });

  afterAll(async () => {
    const d = await docker();
    for (const name of images) for (const tag of ["v1", "latest"]) await d.getImage(`${prefix}/${name}:${tag}`).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("asks for one image list, not an inspect per image and tag, and no /version", async () => {
    const socket = join(dir, "engine.sock");
    const recorder = await recordingSocket(socket);
    try {
      const r = await runInProject(dir, runId, ["build", "--json"], { DOCKER_HOST: `unix://${socket}` });
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { images: { status: string }[] }).images.map((i) => i.status)).toEqual(["up-to-date", "up-to-date", "up-to-date"]);
    } finally {
      await recorder.close();
    }
    const paths = recorder.seen.map((s) => s.replace(/^(\w+ [^?]*).*$/, "$1"));
    expect(paths.filter((p) => p === "GET /images/json")).toHaveLength(1);
    expect(paths.filter((p) => p.includes("/version") || p.includes(prefix) || p.startsWith("POST"))).toEqual([]);
    // What remains: the ping and the base image's inspect for the lock's pin (once, shared).
    expect(paths.filter((p) => p !== "GET /images/json").sort()).toEqual(["GET /_ping", "GET /images/busybox:latest/json"]);
  });

  it("does not load dockerode (the built binary, as a user runs it)", async () => {
    const preload = join(dir, "modules.cjs");
    const list = join(dir, "modules.txt");
    writeFileSync(preload, `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(list)}, Object.keys(require.cache).join("\\n")));\n`);
    const r = await runBin(["build", "--json"], { cwd: dir, env: { ...projectEnv(dir, runId), NODE_OPTIONS: `--require ${preload}` } });
    expect(r.code, r.stderr).toBe(0);
    const loaded = readFileSync(list, "utf8");
    // The list is real (the preload itself is in it); the bin's own libraries are bundled
    // (scripts/bundle-cli.mjs), and dockerode's family, kept out of the bundle, would be here.
    expect(loaded).toContain(preload);
    expect(loaded).not.toMatch(/node_modules\/(dockerode|docker-modem|ssh2|@grpc|protobufjs)\//);
  });
});
