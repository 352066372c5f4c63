/** The thin Engine API client smoke uses and its stream demuxer. */
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demuxStream } from "../../src/engine/demux.js";
import { EngineHttpClient, fromImageAndTag, registryAuthHeader } from "../../src/engine/engine-http.js";

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

  it("sends image: docker: platform as the create request's platform query parameter, not in the body", async () => {
    await client().createContainer({ name: "rk-p", platform: "linux/arm64", Image: "busybox" });
    const req = requests.find((r) => r.url?.startsWith("/containers/create?name=rk-p"));
    expect(req?.url).toBe("/containers/create?name=rk-p&platform=linux%2Farm64");
    expect(JSON.parse(req?.body ?? "")).toEqual({ Image: "busybox" });
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
