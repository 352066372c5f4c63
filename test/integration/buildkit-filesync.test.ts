import { randomBytes, createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BuildKitBuilderOptions } from "../../src/builder/buildkit/buildkit-builder.js";
import { INJECTED_DOCKERFILE } from "../../src/builder/context-files.js";
import { newRunId } from "../../src/engine/labels.js";
import { buildWithBuildKit } from "../support/buildkit.js";
import { docker } from "../support/docker.js";

const md5 = (data: Buffer | string) => createHash("md5").update(data).digest("hex");

/** A build asking for the session-served context. */
const SESSION_CONTEXT_BUILD = /^POST [^ ]*\/build\?[^ ]*remote=client-session/;

/**
 * A relay on a unix socket in front of the real daemon that answers the requests `refuse`
 * matches (default: a build asking for the session-served context, `remote=client-session`)
 * with 400, as a daemon refusing them would; every other request reaches the daemon
 * untouched. `seen` lists each request's first line, in order.
 */
async function refusingRelay(dir: string, refuse = SESSION_CONTEXT_BUILD, message = "remote client-session is not supported here"): Promise<{ socketPath: string; refused: () => number; seen: string[]; close(): Promise<void> }> {
  const socketPath = join(dir, "refusing.sock");
  const sockets = new Set<Socket>();
  const seen: string[] = [];
  let refused = 0;
  const server = createServer((client) => {
    sockets.add(client);
    client.once("data", (first: Buffer) => {
      const head = first.toString("latin1");
      seen.push(head.slice(0, head.indexOf("\r\n")));
      if (refuse.test(head)) {
        refused += 1;
        const body = JSON.stringify({ message });
        client.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
        return;
      }
      const upstream = connect("/var/run/docker.sock");
      sockets.add(upstream);
      upstream.write(first);
      client.pipe(upstream).pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
      upstream.on("error", () => client.destroy());
    });
    client.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    refused: () => refused,
    seen,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * The image lists every file the context put in /ctx: path, type, mode, size, mtime (s),
 * link target, and each file's md5, each line marked so it can be told from BuildKit's own.
 */
const DOCKERFILE = [
  "FROM busybox:latest",
  "COPY . /ctx/",
  "RUN cd /ctx && find . | sort | while read -r f; do echo \"LIST $(stat -c '%n|%F|%a|%s|%Y' \"$f\")|$(readlink \"$f\")\"; done" +
    " && find . -type f | sort | while read -r f; do echo \"SUM $(md5sum \"$f\")\"; done",
  "",
].join("\n");

describe("BuildKit builds with the context served over the session (FileSync DiffCopy)", () => {
  const runId = newRunId();
  const repo = `runner-kit-test/fs-${runId}`;
  const big = randomBytes(3 * 1024 * 1024 + 777);
  let dir: string;

  const build = async (tag: string, builder: Omit<BuildKitBuilderOptions, "env" | "secretSet"> = {}) => {
    const { outcome, lines } = await buildWithBuildKit(await docker(), dir, { tags: [`${repo}:${tag}`], noCache: true }, { builder });
    expect(outcome.error, lines.join("\n")).toBeUndefined();
    const listing = lines.filter((l) => l.startsWith("LIST ") || l.startsWith("SUM "));
    expect(listing.length, lines.join("\n")).toBeGreaterThan(10);
    return { listing, lines };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rk-filesync-"));
    const write = (path: string, content: string | Buffer, mode?: number) => {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), content);
      if (mode !== undefined) chmodSync(join(dir, path), mode);
    };
    write("Dockerfile", DOCKERFILE);
    write(".dockerignore", "secret.txt\nbuild/\n*.log\n!keep.log\nignored-dir/**\n!ignored-dir/kept.txt\n");
    write("secret.txt", `secret-${runId}`);
    write("build/out.bin", "built");
    write("debug.log", "noise");
    write("keep.log", "kept log");
    write("ignored-dir/gone.txt", "gone");
    write("ignored-dir/kept.txt", "re-included");
    // Names whose plain sort differs from fsutil's walk order ("a" dir, "a-c", "a.txt", "a/b").
    write("a/b/deep.txt", "deep");
    write("a-c", "dash");
    write("a.txt", "dot");
    write("bin/run.sh", "#!/bin/sh\necho run\n", 0o755);
    write("conf/readonly.conf", "ro", 0o600);
    write("dat/big.bin", big);
    write("dat/empty.txt", "");
    write("name with space.txt", "space");
    write("caf\u00e9.txt", "accent");
    mkdirSync(join(dir, "empty-dir"));
    symlinkSync("bin/run.sh", join(dir, "link-to-run"));
    symlinkSync("../a.txt", join(dir, "a", "up-link"));
  });

  afterAll(async () => {
    const d = await docker();
    const images = await d.listImages({ filters: { reference: [`${repo}*`] } });
    for (const image of images) await d.getImage(image.Id).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("puts exactly the files, modes, links and contents of the tar build into the image; ignored files never reach the daemon", async () => {
    const fetched: string[] = [];
    const session = await build("session", { onContextFile: (path) => fetched.push(path) });
    const tar = await build("tar", { contextTransfer: "tar" });
    // The tar carries the rendered Dockerfile as one more context file; the session serves it as its own dir.
    const withoutInjected = tar.listing.filter((l) => !l.includes(INJECTED_DOCKERFILE));
    expect(withoutInjected.length).toBe(tar.listing.length - 2);
    // A directory's mtime is when the daemon wrote into it (the file sync sends it, writing its files changes it), as
    // with the docker CLI's BuildKit builds; every file's mtime is the context's.
    const dirTimes = (listing: string[]) => listing.map((l) => l.replace(/^(LIST [^|]*\|directory\|\d+\|\d+\|)\d+/, "$1<time>"));
    expect(dirTimes(session.listing)).toEqual(dirTimes(withoutInjected));
    expect(session.listing.filter((l) => !l.includes("|directory|"))).toEqual(withoutInjected.filter((l) => !l.includes("|directory|")));

    const text = session.listing.join("\n");
    for (const gone of ["secret.txt", "build", "debug.log", "gone.txt"]) expect(text).not.toContain(gone);
    expect(fetched.filter((p) => /secret|build\/|debug|gone/.test(p))).toEqual([]);
    expect(text).toContain("LIST ./bin/run.sh|regular file|755|");
    expect(text).toContain("LIST ./conf/readonly.conf|regular file|600|2|");
    expect(text).toContain("LIST ./empty-dir|directory|");
    expect(text).toContain("LIST ./link-to-run|symbolic link|777|");
    expect(text).toMatch(/LIST \.\/link-to-run\|.*\|bin\/run\.sh$/m);
    expect(text).toMatch(/LIST \.\/a\/up-link\|.*\|\.\.\/a\.txt$/m);
    expect(text).toContain("LIST ./ignored-dir/kept.txt|regular file|");
    expect(text).toContain("LIST ./dat/empty.txt|regular empty file|");
    expect(text).toContain(`LIST ./dat/big.bin|regular file|644|${big.length}|`);
    expect(text).toContain(`SUM ${md5(big)}  ./dat/big.bin`);
    expect(text).toContain(`SUM ${md5("accent")}  ./caf\u00e9.txt`);
  });

  it("a rebuild fetches only the changed file, and the image has its new content", async () => {
    await build("warm");
    // Same size, new content: only the modification time tells it changed.
    writeFileSync(join(dir, "a-c"), "DASH");
    const fetched: string[] = [];
    const { listing } = await build("changed", { onContextFile: (path) => fetched.push(path) });
    expect(fetched).toEqual(["a-c"]);
    expect(listing).toContain(`SUM ${md5("DASH")}  ./a-c`);
    expect(listing).not.toContain(`SUM ${md5("dash")}  ./a-c`);
  });

  it("sends the context as a tar, saying why, when the daemon refuses the session-served context", async () => {
    const relay = await refusingRelay(dir);
    try {
      const via = new Docker({ socketPath: relay.socketPath });
      const { outcome, lines } = await buildWithBuildKit(via, dir, { tags: [`${repo}:fallback`], noCache: true });
      expect(outcome.error, lines.join("\n")).toBeUndefined();
      expect(relay.refused()).toBe(1);
      expect(lines).toContainEqual(expect.stringMatching(/^the daemon refused the build context served over the BuildKit session \(.*remote client-session is not supported here.*\); sending it as a tar instead$/));
      expect(lines).toContain(`SUM ${md5(big)}  ./dat/big.bin`);
      expect(lines.join("\n")).not.toContain("secret.txt");
    } finally {
      await relay.close();
    }
  });

  it("sends the build while the session opens; a session the daemon refuses gives one clear error, the build is cancelled and tags nothing", async () => {
    const relay = await refusingRelay(dir, /^POST [^ ]*\/session /, "sessions are refused here");
    const tag = `${repo}:no-session`;
    try {
      const via = new Docker({ socketPath: relay.socketPath });
      const { outcome, lines } = await buildWithBuildKit(via, dir, { tags: [tag], noCache: true });
      expect(outcome.error, lines.join("\n")).toMatch(/^could not open a BuildKit session with the Docker daemon: .*sessions are refused here/);
      expect(relay.refused()).toBe(1);
      // Both went out together, as the docker CLI sends them: the build did not wait for the session's answer.
      expect(relay.seen.filter((l) => /^POST [^ ]*\/(session|build\?)/.test(l)).map((l) => l.replace(/^POST [^ ]*\/(session|build).*/, "$1")).sort()).toEqual(["build", "session"]);
      expect(relay.seen.some((l) => /^POST [^ ]*\/build\/cancel/.test(l))).toBe(true);
    } finally {
      await relay.close();
    }
    const d = await docker();
    expect(await d.listImages({ filters: { reference: [tag] } })).toEqual([]);
  });
});
