import { join } from "node:path";
import { execa } from "execa";
import type Docker from "dockerode";

/** The tiny arm64 busybox image test/support/seed-arm64.sh makes (no Docker Hub needed). */
export const ARM64_BUSYBOX = "runner-kit-test/busybox-arm64:latest";
const SEED = join(import.meta.dirname, "seed-arm64.sh");

async function isArm64(docker: Docker, ref: string): Promise<boolean> {
  try {
    return (await docker.getImage(ref).inspect()).Architecture === "arm64";
  } catch {
    return false;
  }
}

/**
 * The arm64 test image, with emulation registered: when the image is missing (or not
 * arm64) the seed script runs; when it cannot set emulation up the test fails with the
 * script's own explanation, never skips.
 */
export async function ensureArm64Image(docker: Docker): Promise<string> {
  if ((await isArm64(docker, ARM64_BUSYBOX)) && (await execa("grep", ["-qx", "enabled", "/proc/sys/fs/binfmt_misc/qemu-aarch64"], { reject: false })).exitCode === 0) {
    return ARM64_BUSYBOX;
  }
  const seeded = await execa("bash", [SEED, ARM64_BUSYBOX], { reject: false, all: true, timeout: 300_000 });
  if (seeded.exitCode !== 0) {
    throw new Error(
      `Emulated linux/arm64 could not be set up (bash ${SEED} exited ${seeded.exitCode}). It needs root, qemu-user-static, ` +
        `binfmt-support and a binfmt_misc mount; its output:\n${seeded.all ?? ""}`,
    );
  }
  return ARM64_BUSYBOX;
}
