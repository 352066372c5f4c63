import { createHash } from "node:crypto";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";

/**
 * A one-file image that claims a platform no machine can run: its /bin/sh is an ELF header
 * for IA-64, which neither the kernel nor any registered emulator executes, so every RUN
 * fails with "exec format error" — what a build for a platform without emulation sees.
 * Loaded with `docker load` so its config carries the claimed platform.
 */
export async function loadUnrunnableImage(ref: string, architecture: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "rk-stub-"));
  try {
    mkdirSync(join(dir, "root", "bin"), { recursive: true });
    const elf = Buffer.alloc(64);
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(elf);
    elf.writeUInt16LE(2, 16); // ET_EXEC
    elf.writeUInt16LE(0x32, 18); // EM_IA_64
    writeFileSync(join(dir, "root", "bin", "sh"), elf, { mode: 0o755 });
    await execa("tar", ["-C", join(dir, "root"), "--numeric-owner", "--owner=0", "--group=0", "--mtime=@0", "-cf", join(dir, "layer.tar"), "bin"]);
    const diffId = createHash("sha256").update(readFileSync(join(dir, "layer.tar"))).digest("hex");
    const config = { architecture, os: "linux", created: "1970-01-01T00:00:00Z", config: { Env: ["PATH=/bin"], Cmd: ["sh"] }, rootfs: { type: "layers", diff_ids: [`sha256:${diffId}`] } };
    writeFileSync(join(dir, "config.json"), JSON.stringify(config));
    writeFileSync(join(dir, "manifest.json"), JSON.stringify([{ Config: "config.json", RepoTags: [ref], Layers: ["layer.tar"] }]));
    await execa("tar", ["-C", dir, "-cf", join(dir, "image.tar"), "manifest.json", "config.json", "layer.tar"]);
    await execa("docker", ["load", "-i", join(dir, "image.tar")]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
