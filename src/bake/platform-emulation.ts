import type { BuildOutcome } from "../builder/image-builder.js";
import { parsePlatform } from "../reference/platform.js";
import { qemuEntryName } from "./platform-binfmt.js";

/** What the kernel says when it has no interpreter for a program's architecture. */
const NO_INTERPRETER = /exec format error/i;

/** What to install so the daemon's machine runs a platform's programs (one wording for the early check and the build failure). */
export function emulatorAdvice(platform: string): string {
  const { architecture } = parsePlatform(platform);
  const qemu = qemuEntryName(architecture);
  return (
    `Install QEMU's user-mode emulators there (Debian/Ubuntu: apt-get install qemu-user-static binfmt-support, then update-binfmts --enable ${qemu}; ` +
    `elsewhere: docker run --privileged --rm tonistiigi/binfmt --install ${architecture}), or build only the platforms it runs (--platform)`
  );
}

/**
 * A build step for a foreign platform that failed with "exec format error": the daemon's
 * kernel has no emulator registered for that architecture. Says which and what to install;
 * undefined for any other failure.
 */
export function emulationHint(platform: string, outcome: Pick<BuildOutcome, "error" | "tail">): string | undefined {
  const said = [outcome.error ?? "", ...outcome.tail].join("\n");
  if (!NO_INTERPRETER.test(said)) return undefined;
  const qemu = qemuEntryName(parsePlatform(platform).architecture);
  return `the Docker daemon's machine cannot run ${platform} programs: no emulator is registered for it in /proc/sys/fs/binfmt_misc (no ${qemu} entry). ${emulatorAdvice(platform)}`;
}
