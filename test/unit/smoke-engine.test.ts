/** The thin Engine API client smoke uses, its stream demuxer, and the stage exit marker. */
import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demuxStream } from "../../src/docker/demux.js";
import { EngineHttpClient, fromImageAndTag, registryAuthHeader } from "../../src/docker/engine-http.js";
import { stageScript } from "../../src/smoke/script.js";

const frame = (type: number, text: string) => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

describe("demuxStream", () => {
  it("splits stdout and stderr frames, also when a frame arrives in pieces", () => {
    const stream = new PassThrough();
    const seen: string[] = [];
    demuxStream(stream, (c) => seen.push(`out:${c.toString()}`), (c) => seen.push(`err:${c.toString()}`));
    const bytes = Buffer.concat([frame(1, "hello\n"), frame(2, "oops\n"), frame(1, "bye")]);
    stream.write(bytes.subarray(0, 5));
    stream.write(bytes.subarray(5, 17));
    stream.write(bytes.subarray(17));
    expect(seen).toEqual(["out:hello\n", "err:oops\n", "out:bye"]);
  });
});

describe("pull parameters", () => {
  it("splits tag and digest as dockerode's pull does, defaulting to latest", () => {
    expect(fromImageAndTag("busybox")).toEqual({ fromImage: "busybox", tag: "latest" });
    expect(fromImageAndTag("localhost:5000/team/app")).toEqual({ fromImage: "localhost:5000/team/app", tag: "latest" });
    expect(fromImageAndTag("localhost:5000/team/app:1.2")).toEqual({ fromImage: "localhost:5000/team/app", tag: "1.2" });
    expect(fromImageAndTag("app@sha256:abc")).toEqual({ fromImage: "app", tag: "sha256:abc" });
  });
  it("encodes X-Registry-Auth as URL-safe base64 JSON", () => {
    const auth = { username: "u", password: "p?>>>", serveraddress: "r.example" };
    const header = registryAuthHeader(auth);
    expect(header).not.toMatch(/[+/]/);
    expect(JSON.parse(Buffer.from(header, "base64url").toString())).toEqual(auth);
  });
});

describe("EngineHttpClient (against a local HTTP server on a unix socket)", () => {
  let dir: string;
  let server: Server;
  const requests: { method?: string; url?: string; body: string }[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rk-engine-"));
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        requests.push({ method: req.method, url: req.url, body });
        if (req.url?.startsWith("/containers/create")) return void res.writeHead(201, { "Content-Type": "application/json" }).end('{"Id":"c1"}');
        if (req.url === "/images/Bad/json") return void res.writeHead(400).end('{"message":"invalid reference format: repository name must be lowercase"}');
        res.writeHead(404, { "Content-Type": "application/json" }).end('{"message":"No such container: nope"}');
      });
    });
    server.on("upgrade", (_req, socket) => {
      socket.write("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
      socket.on("data", (c: Buffer) => socket.end(frame(1, `got ${c.toString()}`)));
    });
    await new Promise<void>((resolve) => server.listen(join(dir, "docker.sock"), resolve));
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const client = () => new EngineHttpClient({ socketPath: join(dir, "docker.sock") });

  it("creates a container with its name in the query and the rest as the body", async () => {
    const c = await client().createContainer({ name: "rk-x", Image: "busybox", Labels: { a: "b" } });
    expect(c.id).toBe("c1");
    const req = requests.find((r) => r.url?.startsWith("/containers/create"));
    expect(req).toMatchObject({ method: "POST", url: "/containers/create?name=rk-x" });
    expect(JSON.parse(req?.body ?? "")).toEqual({ Image: "busybox", Labels: { a: "b" } });
  });

  it("rejects with the status code and dockerode's message shape", async () => {
    await expect(client().getContainer("nope").remove({ force: true, v: true })).rejects.toMatchObject({
      statusCode: 404,
      message: "(HTTP code 404) not found - No such container: nope ",
    });
    await expect(client().getImage("Bad").inspect()).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/invalid reference format: repository name must be lowercase $/) });
  });

  it("attaches over an HTTP upgrade: stdin goes in, multiplexed output comes back", async () => {
    const stream = await client().getContainer("c1").attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true });
    const out: string[] = [];
    demuxStream(stream, (c) => out.push(c.toString()), () => undefined);
    stream.write("script");
    await new Promise((resolve) => stream.on("end", resolve));
    expect(out.join("")).toBe("got script");
  });
});

describe("the stage exit marker", () => {
  const run = (shell: string, commands: string[]) => {
    const script = stageScript({ commands, startMarker: "START", noGrepMarker: "NOGREP", workdir: "/", color: false, exitMarker: "EXIT-M" });
    try {
      return { out: execFileSync(shell, [], { input: script, encoding: "utf8" }), code: 0 };
    } catch (error) {
      const e = error as { stdout: string; status: number };
      return { out: e.stdout, code: e.status };
    }
  };
  it("is the last line and carries the shell's own exit code", () => {
    for (const shell of ["sh", "bash"]) {
      expect(run(shell, ["echo hi"])).toEqual({ out: "START\n$ echo hi\nhi\nEXIT-M 0\n", code: 0 });
      expect(run(shell, ["false", "echo never"])).toEqual({ out: "START\n$ false\nEXIT-M 1\n", code: 1 });
      expect(run(shell, ["exit 3"])).toEqual({ out: "START\n$ exit 3\nEXIT-M 3\n", code: 3 });
    }
  });
  it("is not touched by a trap the job's own script sets", () => {
    expect(run("sh", ["trap 'echo own' EXIT", "echo body"])).toEqual({ out: "START\n$ trap 'echo own' EXIT\n$ echo body\nbody\nown\nEXIT-M 0\n", code: 0 });
  });
});
