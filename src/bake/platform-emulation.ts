import type { BuildOutcome } from "../builder/image-builder.js";
import { parsePlatform } from "../reference/platform.js";

/** What the kernel says when it has no interpreter for a program's architecture. */
const NO_INTERPRETER = /exec format error/i;

/** QEMU's name for an architecture (the binfmt_misc entry is qemu-<name>). */
const QEMU_NAMES: Record<string, string> = { amd64: "x86_64", arm64: "aarch64", "386": "i386", arm: "arm", ppc64le: "ppc64le", s390x: "s390x", riscv64: "riscv64", mips64le: "mips64el" };

/**
 * A build step for a foreign platform that failed with "exec format error": the daemon's
 * kernel has no emulator registered for that architecture. Says which and what to install;
 * undefined for any other failure.
 */
export function emulationHint(platform: string, outcome: Pick<BuildOutcome, "error" | "tail">): string | undefined {
  const said = [outcome.error ?? "", ...outcome.tail].join("\n");
  if (!NO_INTERPRETER.test(said)) return undefined;
  const qemu = `qemu-${QEMU_NAMES[parsePlatform(platform).architecture] ?? parsePlatform(platform).architecture}`;
  return (
    `the Docker daemon's machine cannot run ${platform} programs: no emulator is registered for it in /proc/sys/fs/binfmt_misc (no ${qemu} entry). ` +
    `Install QEMU's user-mode emulators there (Debian/Ubuntu: apt-get install qemu-user-static binfmt-support, then update-binfmts --enable ${qemu}; ` +
    `elsewhere: docker run --privileged --rm tonistiigi/binfmt --install ${parsePlatform(platform).architecture}), or build only the platforms it runs (--platform)`
  );
}
