import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, unlinkSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import protobuf from "protobufjs";
import { afterEach, describe, expect, it } from "vitest";
import { comparePaths, goFileMode, syncEntries } from "../../src/builder/buildkit/filesync-entries.js";
import { dataPacket, endOfStats, errPacket, finPacket, PacketType, statPacket } from "../../src/builder/buildkit/filesync-packet.js";
import { CHUNK, DIFF_COPY_PATH, diskDir, fileSyncStream, memoryDir, type SyncedDir } from "../../src/builder/buildkit/filesync-service.js";
import { loadCodec } from "../../src/builder/buildkit/messages.js";
import { serveSession, type BuildSession } from "../../src/builder/buildkit/session.js";
import { listContextFiles, type ContextEntry } from "../../src/builder/context-files.js";

const entry = (path: string, type: ContextEntry["type"] = "file", extra: Partial<ContextEntry> = {}): ContextEntry => ({ path, type, mode: type === "directory" ? 0o755 : 0o644, size: 0, mtimeMs: 0, ...extra });

/** fsutil's own .proto text (types/stat.proto, types/wire.proto), parsed independently of runner-kit's descriptor. */
const FSUTIL_PROTO = `syntax = "proto3";
message Stat { string path = 1; uint32 mode = 2; uint32 uid = 3; uint32 gid = 4; int64 size = 5; int64 modTime = 6; string linkname = 7; int64 devmajor = 8; int64 devminor = 9; map<string, bytes> xattrs = 10; }
message Packet { enum PacketType { PACKET_STAT = 0; PACKET_REQ = 1; PACKET_DATA = 2; PACKET_FIN = 3; PACKET_ERR = 4; } PacketType type = 1; Stat stat = 2; uint32 ID = 3; bytes data = 4; }`;

/** A packet as fsutil's Go code reads it: decoded with fsutil's own .proto, int64 as decimal strings. */
const fsutilPacket = (bytes: Buffer) => {
  const Packet = protobuf.parse(FSUTIL_PROTO).root.lookupType("Packet");
  return Packet.toObject(Packet.decode(bytes), { longs: String, enums: String, bytes: String });
};

describe("fsutil order and stats (pure)", () => {
  it("orders paths as fsutil walks them: a directory's entries right after it, '/' before every other byte", () => {
    const paths = ["a.txt", "b", "a-c", "a/b/c", "z", "caf\u00e9", "a", "a/b", "cafe", "A", "a b", "\u{1F600}", "\uFF01"];
    expect([...paths].sort(comparePaths)).toEqual(["A", "a", "a/b", "a/b/c", "a b", "a-c", "a.txt", "b", "cafe", "caf\u00e9", "z", "\uFF01", "\u{1F600}"]);
    // Plain string order differs exactly where fsutil's does not: the daemon refuses "a-c" before "a/b".
    expect([...paths].sort()).not.toEqual([...paths].sort(comparePaths));
  });

  it("gives Go's os.FileMode: type bits high, setuid/setgid/sticky as Go places them", () => {
    expect(goFileMode({ type: "file", mode: 0o644 })).toBe(0o644);
    expect(goFileMode({ type: "file", mode: 0o755 })).toBe(0o755);
    expect(goFileMode({ type: "directory", mode: 0o755 })).toBe((0x80000000 | 0o755) >>> 0);
    expect(goFileMode({ type: "symlink", mode: 0o777 })).toBe(0x08000000 | 0o777);
    expect(goFileMode({ type: "file", mode: 0o4755 })).toBe(0x00800000 | 0o755);
    expect(goFileMode({ type: "directory", mode: 0o3775 })).toBe((0x80000000 | 0x00400000 | 0x00100000 | 0o775) >>> 0);
  });

  it("sends mtimes in exact nanoseconds, sizes of files only, owners as root, a symlink's target", () => {
    const ns = 1_796_016_248_123_456_789n;
    expect(fsutilPacket(statPacket(entry("dir/f", "file", { size: 12, mtimeNs: ns, mtimeMs: 1_796_016_248_123 })))).toEqual({
      stat: { path: "dir/f", mode: 0o644, size: "12", modTime: "1796016248123456789" },
    });
    expect(fsutilPacket(statPacket(entry("d", "directory", { mtimeMs: 1500 })))).toEqual({ stat: { path: "d", mode: (0x80000000 | 0o755) >>> 0, modTime: "1500000000" } });
    expect(fsutilPacket(statPacket(entry("l", "symlink", { mode: 0o777, linkname: "../t", mtimeNs: -5n })))).toEqual({
      stat: { path: "l", mode: 0x08000000 | 0o777, modTime: "-5", linkname: "../t" },
    });
    expect(fsutilPacket(statPacket(entry("caf\u00e9 \u{1F600}", "file", { size: 2 ** 40 })))).toMatchObject({ stat: { path: "caf\u00e9 \u{1F600}", size: String(2 ** 40) } });
  });

  it("sends every parent before its entries, implying one the list lacks (an excluded dir with a re-included file)", () => {
    const listed = [entry("keep/inner/f.txt"), entry("a.txt"), entry("a", "directory", { mode: 0o700 }), entry("a/x")];
    const sent = syncEntries(listed);
    expect(sent.map((e) => e.path)).toEqual(["a", "a/x", "a.txt", "keep", "keep/inner", "keep/inner/f.txt"]);
    expect(sent[0]!.mode).toBe(0o700);
    expect(sent.find((e) => e.path === "keep")).toMatchObject({ type: "directory", mode: 0o755 });
  });

  it("narrows to the daemon's include patterns and follow paths, with their parents and what is inside a matched dir", () => {
    const listed = [entry(".dockerignore"), entry("Dockerfile"), entry("src", "directory"), entry("src/a.ts"), entry("src/deep", "directory"), entry("src/deep/b.ts"), entry("src/deeper.ts"), entry("docs/x.md")];
    expect(syncEntries(listed, [".dockerignore"]).map((e) => e.path)).toEqual([".dockerignore"]);
    expect(syncEntries(listed, ["Dockerfile", "Dockerfile.dockerignore"]).map((e) => e.path)).toEqual(["Dockerfile"]);
    expect(syncEntries(listed, ["src/deep"]).map((e) => e.path)).toEqual(["src", "src/deep", "src/deep/b.ts"]);
    expect(syncEntries(listed, ["/src/deep/"]).map((e) => e.path)).toEqual(["src", "src/deep", "src/deep/b.ts"]);
    expect(syncEntries(listed, ["src/deep*"]).map((e) => e.path)).toEqual(["src", "src/deep", "src/deep/b.ts", "src/deeper.ts"]);
    expect(syncEntries(listed, ["**/*.md"]).map((e) => e.path)).toEqual(["docs", "docs/x.md"]);
    expect(syncEntries(listed, ["nothing"])).toEqual([]);
  });
});

describe("packets on the wire", () => {
  it("encodes DATA, its end, FIN, ERR and the end of the stats as fsutil's Packet decodes them", () => {
    expect(fsutilPacket(dataPacket(7, Buffer.from("abc")))).toEqual({ type: "PACKET_DATA", ID: 7, data: Buffer.from("abc").toString("base64") });
    expect(fsutilPacket(dataPacket(300))).toEqual({ type: "PACKET_DATA", ID: 300 });
    expect(fsutilPacket(finPacket())).toEqual({ type: "PACKET_FIN" });
    expect(fsutilPacket(errPacket("no"))).toEqual({ type: "PACKET_ERR", data: Buffer.from("no").toString("base64") });
    // The packet that ends the stats: type STAT (the default) and no stat, which Go reads as a nil Stat.
    expect(fsutilPacket(endOfStats())).toEqual({});
  });
});

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

interface Packet {
  type?: number;
  ID?: number;
  data?: Uint8Array;
  stat?: { path: string; mode: number; size?: number };
}

/**
 * The daemon's side of one DiffCopy call over real gRPC: read the stats, ask for `want`
 * (paths), collect each file's DATA until its empty DATA, then FIN and wait for the answer.
 */
async function diffCopy(dirs: Record<string, SyncedDir>, metadata: Record<string, string[]>, want: (stats: Packet["stat"][]) => string[]) {
  const codec = await loadCodec();
  const dir = mkdtempSync(join(tmpdir(), "rk-filesync-"));
  const socketPath = join(dir, "s.sock");
  const sessions: BuildSession[] = [];
  const asked: string[] = [];
  const stream = fileSyncStream({ dirs, codec, onFile: (name, path) => asked.push(`${name}:${path}`) });
  const server: Server = createServer((socket) => void serveSession(socket, "test", codec, [stream]).then((s) => sessions.push(s)));
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const client = new grpc.Client(`unix://${socketPath}`, grpc.credentials.createInsecure());
  cleanups.push(() => {
    client.close();
    for (const s of sessions) s.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const md = new grpc.Metadata();
  for (const [key, values] of Object.entries(metadata)) for (const v of values) md.add(key, v);
  const call = client.makeBidiStreamRequest(DIFF_COPY_PATH, (p: Record<string, unknown>) => codec.encode("Packet", p), (b: Buffer) => codec.decode<Packet>("Packet", b), md);
  const stats: Packet["stat"][] = [];
  const files = new Map<string, Buffer[]>();
  const chunkSizes: number[] = [];
  const errors: string[] = [];
  let ids: Map<number, string> | undefined;
  let open = 0;
  return new Promise<{ stats: typeof stats; files: Map<string, Buffer>; chunkSizes: number[]; errors: string[]; fin: boolean; asked: string[] }>((resolve, reject) => {
    let fin = false;
    const finish = () => resolve({ stats, files: new Map([...files].map(([k, v]) => [k, Buffer.concat(v)])), chunkSizes, errors, fin, asked });
    call.on("data", (p: Packet) => {
      const type = p.type ?? 0;
      if (type === PacketType.stat && p.stat) stats.push(p.stat);
      else if (type === PacketType.stat) {
        ids = new Map();
        const wanted = new Set(want(stats));
        stats.forEach((s, i) => {
          if (!wanted.has(s!.path)) return;
          ids!.set(i, s!.path);
          files.set(s!.path, []);
          open += 1;
          call.write({ type: PacketType.req, ID: i });
        });
        if (open === 0) call.write({ type: PacketType.fin });
      } else if (type === PacketType.data) {
        const path = ids!.get(p.ID ?? 0)!;
        if (p.data && p.data.length > 0) {
          chunkSizes.push(p.data.length);
          files.get(path)!.push(Buffer.from(p.data));
        } else if (--open === 0) call.write({ type: PacketType.fin });
      } else if (type === PacketType.fin) {
        fin = true;
        call.end();
      } else if (type === PacketType.err) {
        errors.push(Buffer.from(p.data ?? []).toString());
      }
    });
    call.on("error", reject);
    call.on("end", finish);
  });
}

describe("DiffCopy over real gRPC, the test in the daemon's role", () => {
  const contextOf = (files: Record<string, string | Buffer>) => {
    const root = mkdtempSync(join(tmpdir(), "rk-filesync-ctx-"));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(root, path, ".."), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    return root;
  };

  it("sends the listed context in fsutil's order and each asked-for file in chunks of at most 32 KiB, then FIN", async () => {
    const big = randomBytes(CHUNK * 3 + 5);
    const root = contextOf({ "a-c": "dash", "a/b.txt": "b", "big.bin": big, "empty.txt": "", ".dockerignore": "*.skip\n", "x.skip": "no" });
    const { entries } = await listContextFiles(root);
    const result = await diffCopy({ context: diskDir(root, entries) }, { "dir-name": ["context"] }, () => ["big.bin", "a/b.txt", "empty.txt"]);
    expect(result.stats.map((s) => s!.path)).toEqual([".dockerignore", "a", "a/b.txt", "a-c", "big.bin", "empty.txt"]);
    expect(result.stats.find((s) => s!.path === "big.bin")?.size).toBe(big.length);
    expect(result.files.get("big.bin")!.equals(big)).toBe(true);
    expect(result.files.get("a/b.txt")!.toString()).toBe("b");
    expect(result.files.get("empty.txt")!.length).toBe(0);
    expect(Math.max(...result.chunkSizes)).toBe(CHUNK);
    expect(result.fin).toBe(true);
    expect(result.asked.sort()).toEqual(["context:a/b.txt", "context:big.bin", "context:empty.txt"]);
  });

  it("honours the daemon's follow paths, with several values in one header (the Dockerfile dir)", async () => {
    const dockerfile = memoryDir("Dockerfile", "FROM busybox\n");
    const result = await diffCopy({ dockerfile }, { "dir-name": ["dockerfile"], followpaths: ["Dockerfile", "Dockerfile.dockerignore"] }, (s) => s.map((x) => x!.path));
    expect(result.stats.map((s) => s!.path)).toEqual(["Dockerfile"]);
    expect(result.files.get("Dockerfile")!.toString()).toBe("FROM busybox\n");
    // The mtime follows the content: the daemon's kept copy is refreshed exactly when the Dockerfile changes.
    expect(memoryDir("Dockerfile", "FROM busybox\n").entries[0]!.mtimeNs).toBe(dockerfile.entries[0]!.mtimeNs);
    expect(memoryDir("Dockerfile", "FROM debian\n").entries[0]!.mtimeNs).not.toBe(dockerfile.entries[0]!.mtimeNs);
  });

  it("tells the daemon which file it could not read (ERR), and refuses a dir it does not serve (NOT_FOUND)", async () => {
    const root = contextOf({ "gone.txt": "soon gone", "ok.txt": "ok" });
    const { entries } = await listContextFiles(root);
    unlinkSync(join(root, "gone.txt"));
    const result = await diffCopy({ context: diskDir(root, entries) }, { "dir-name": ["context"] }, () => ["gone.txt"]);
    expect(result.errors).toEqual(["cannot read gone.txt of the build context (ENOENT)"]);
    await expect(diffCopy({ context: diskDir(root, entries) }, { "dir-name": ["secrets"] }, () => [])).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: 'runner-kit serves no directory "secrets" to the build',
    });
  });
});
