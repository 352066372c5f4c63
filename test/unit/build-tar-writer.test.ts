import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pack, type Headers, type Pack, type PackOptions } from "tar-fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isRunnerKitError } from "../../src/common/errors.js";
import { listContextFiles, type ContextEntry } from "../../src/builder/context-files.js";
import { contextTar, INJECTED_DOCKERFILE } from "../../src/builder/context.js";
import { TarWriter, nodeFileReader, type FileReader } from "../../src/builder/tar-writer.js";
import { tarEntries } from "../support/tar.js";

let dir: string;
let out: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rk-tarw-"));
  out = mkdtempSync(join(tmpdir(), "rk-tarw-out-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

function write(path: string, content: string | Buffer, mode?: number): void {
  mkdirSync(join(dir, path, ".."), { recursive: true });
  writeFileSync(join(dir, path), content);
  if (mode !== undefined) chmodSync(join(dir, path), mode);
}

const longDir = `${"a".repeat(60)}/${"b".repeat(70)}`;
const noSlash = "c".repeat(120);

/** Every kind of entry the context tar has to carry, and the names ustar cannot hold alone. */
function tricky(): void {
  write("plain.txt", "alpha\n");
  write("empty", "");
  write("block", Buffer.alloc(512, 7)); // exactly one block: no padding
  write("big.bin", Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251))); // larger than a small batch
  write("run.sh", "#!/bin/sh\necho hi\n", 0o755);
  write("secret.key", "k", 0o600);
  write("shared.txt", "group-writable", 0o664);
  write(`${longDir}/file.txt`, "long path, split at a slash");
  write(`${noSlash}/x`, "a directory name longer than 100");
  write(`d/${noSlash}`, "a file name longer than 100");
  write("ünï/cödé.txt", "not ASCII");
  mkdirSync(join(dir, "empty-dir"));
  symlinkSync("plain.txt", join(dir, "link"));
  symlinkSync(`../${"t".repeat(150)}`, join(dir, "long-link"));
  symlinkSync("ziel-ü", join(dir, "link-ü"));
  utimesSync(join(dir, "plain.txt"), 1_700_000_000.9, 1_700_000_000.9);
}

async function bytes(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** The context tar as tar-fs wrote it before the batched writer: the reference the bytes must equal. */
function tarFsReference(entries: ContextEntry[], dockerfile: string): NodeJS.ReadableStream {
  return pack(dir, {
    entries: entries.map((e) => e.path),
    // The walk is done: tar-fs is not to descend into the listed directories again.
    fs: { ...fs, readdir: (_path: string, callback: (error: null, files: string[]) => void) => process.nextTick(callback, null, []) },
    finalize: false,
    map: (header: Headers) => ({ ...header, uid: 0, gid: 0 }),
    finish: (p: Pack) => {
      p.entry({ name: INJECTED_DOCKERFILE, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 }, dockerfile);
      p.finalize();
    },
  } as PackOptions) as unknown as NodeJS.ReadableStream;
}

const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");

describe("the context tar writer", () => {
  it("writes the same bytes tar-fs wrote: ustar headers, prefix split, pax for long and non-ASCII names, padding, the end blocks", async () => {
    tricky();
    const { entries } = await listContextFiles(dir, [INJECTED_DOCKERFILE]);
    const dockerfile = "FROM busybox\nCOPY . /ctx/\n";
    const ours = await bytes(await contextTar(dir, entries, dockerfile));
    const reference = await bytes(tarFsReference(entries, dockerfile));
    expect(ours.length % 512).toBe(0);
    expect(ours.equals(reference)).toBe(true);
  });

  it("is read back by the system tar with every name, type, mode, owner, mtime, link target and content", async () => {
    tricky();
    const { entries } = await listContextFiles(dir, [INJECTED_DOCKERFILE]);
    const tarFile = join(out, "ctx.tar");
    writeFileSync(tarFile, await bytes(await contextTar(dir, entries, "FROM scratch\n")));
    const listing = execFileSync("tar", ["--numeric-owner", "--full-time", "-tvf", tarFile], { encoding: "utf8" });
    const umask = process.umask();
    // "perms owner size date time name[ -> target]", the name after the fifth field.
    const byName = new Map(listing.trim().split("\n").map((l) => [/^(?:\S+\s+){5}(.*?)(?: -> .*)?$/.exec(l)![1]!.replace(/\/$/, ""), l]));
    for (const e of entries) {
      const name = e.path;
      const line = byName.get(name);
      expect(line, name).toBeDefined();
      expect(line).toContain(" 0/0 ");
      const type = e.type === "directory" ? "d" : e.type === "symlink" ? "l" : "-";
      expect(line![0], name).toBe(type);
      if (e.type !== "symlink") expect(parseModeString(line!.slice(1, 10)), name).toBe(e.mode & ~umask & 0o777);
      if (e.type === "symlink") expect(line, name).toContain(` -> ${e.linkname}`);
    }
    expect(listing).toMatch(/ 2023-11-14 22:13:20 plain\.txt/);
    mkdirSync(join(out, "x"));
    execFileSync("tar", ["-xf", tarFile, "-C", join(out, "x")]);
    for (const e of entries.filter((x) => x.type === "file")) {
      expect(md5(readFileSync(join(out, "x", e.path))), e.path).toBe(md5(readFileSync(join(dir, e.path))));
    }
    expect(readFileSync(join(out, "x", INJECTED_DOCKERFILE), "utf8")).toBe("FROM scratch\n");
  });

  it("gives the same bytes whatever the batch size, with bodies and padding split across batches", async () => {
    tricky();
    const { entries } = await listContextFiles(dir, [INJECTED_DOCKERFILE]);
    const reference = await bytes(await contextTar(dir, entries, "FROM scratch\n"));
    for (const batchSize of [1536, 4096, 70_000]) {
      const writer = await contextTar(dir, entries, "FROM scratch\n", new Date(0), { batchSize });
      const chunks: Buffer[] = [];
      for await (const c of writer as AsyncIterable<Buffer>) chunks.push(c);
      expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(batchSize);
      expect(Buffer.concat(chunks).equals(reference), `batch ${batchSize}`).toBe(true);
    }
  });

  it("lists the injected Dockerfile in the tar's .dockerignore when asked: appended to the context's own, or in one that lists itself", async () => {
    write(".dockerignore", "*.skip");
    write("a.txt", "alpha");
    const { entries } = await listContextFiles(dir, [INJECTED_DOCKERFILE]);
    const own = await tarEntries(await contextTar(dir, entries, "FROM scratch\n", new Date(0), { hideDockerfile: true }));
    expect(own[".dockerignore"]).toBe(`file:0:*.skip\n${INJECTED_DOCKERFILE}\n`);
    expect(own["a.txt"]).toBe("file:0:alpha");
    expect(own[INJECTED_DOCKERFILE]).toBe("file:0:FROM scratch\n");
    const plain = await tarEntries(await contextTar(dir, entries, "FROM scratch\n"));
    expect(plain[".dockerignore"]).toBe("file:0:*.skip");
    rmSync(join(dir, ".dockerignore"));
    const none = await tarEntries(await contextTar(dir, (await listContextFiles(dir, [INJECTED_DOCKERFILE])).entries, "FROM scratch\n", new Date(0), { hideDockerfile: true }));
    expect(Object.keys(none).sort()).toEqual([".dockerignore", INJECTED_DOCKERFILE, "a.txt"].sort());
    expect(none[".dockerignore"]).toBe(`file:0:.dockerignore\n${INJECTED_DOCKERFILE}\n`);
  });

  it("holds at most one file open, and closes it when the stream is destroyed", async () => {
    tricky();
    const { entries } = await listContextFiles(dir, [INJECTED_DOCKERFILE]);
    let open = 0;
    let most = 0;
    const counting: FileReader = {
      open: (p) => {
        most = Math.max(most, ++open);
        return nodeFileReader.open(p);
      },
      read: nodeFileReader.read,
      close: (fd) => {
        open -= 1;
        nodeFileReader.close(fd);
      },
    };
    await bytes(await contextTar(dir, entries, "FROM scratch\n", new Date(0), { files: counting }));
    expect(most).toBe(1);
    expect(open).toBe(0);
    // Destroyed in the middle of big.bin (a small batch leaves it open).
    const stream = new TarWriter([{ header: { name: "big.bin", type: "file", mode: 0o644, size: 200_000, mtime: 0, uid: 0, gid: 0 }, body: join(dir, "big.bin") }], counting, 4096);
    stream.read();
    expect(open).toBe(1);
    stream.destroy();
    await new Promise((resolve) => stream.on("close", resolve));
    expect(open).toBe(0);
  });

  it("fails naming the file when a file is shorter than when it was listed", async () => {
    write("a.txt", "0123456789");
    const { entries } = await listContextFiles(dir, [INJECTED_DOCKERFILE]);
    truncateSync(join(dir, "a.txt"), 4);
    await expect(bytes(await contextTar(dir, entries, "FROM scratch\n"))).rejects.toThrow(/a\.txt changed while the build context was being sent: 10 bytes when listed, 4 now/);
  });

  it("refuses a file of 8 GiB or more before reading anything, naming it and what to do (exit code 2)", async () => {
    const entries: ContextEntry[] = [{ path: "disk.img", type: "file", mode: 0o644, size: 8 * 1024 ** 3, mtimeMs: 0 }];
    let opened = 0;
    const spy: FileReader = { ...nodeFileReader, open: (p) => (opened++, nodeFileReader.open(p)) };
    const error = await contextTar(dir, entries, "FROM scratch\n", new Date(0), { files: spy }).catch((e: unknown) => e);
    expect(isRunnerKitError(error)).toBe(true);
    expect((error as { exitCode: number }).exitCode).toBe(2);
    expect((error as Error).message).toContain("disk.img (8589934592 bytes)");
    expect((error as Error).message).toContain("smaller than 8 GiB");
    expect(opened).toBe(0);
    // One byte less fits ustar's size field.
    const fits = [{ ...entries[0]!, size: 8 * 1024 ** 3 - 1 }];
    await expect(contextTar(dir, fits, "FROM scratch\n", new Date(0), { files: spy })).resolves.toBeDefined();
  });
});

/** "rwxr-x---" as a number. */
function parseModeString(text: string): number {
  let mode = 0;
  for (let i = 0; i < 9; i++) if (text[i] !== "-") mode |= 1 << (8 - i);
  return mode;
}
