/**
 * The early emulator check: before anything builds, every foreign platform a build is about
 * to build must have an enabled QEMU entry in the daemon's kernel's binfmt_misc. Only when
 * the daemon runs on this machine (a Unix socket, the same Linux kernel): a remote daemon's
 * kernel cannot be read from here, and its build falls back to recognising the daemon's
 * "exec format error" (platform-emulation.ts). Pure: the daemon's facts and the binfmt
 * entries are passed in.
 */
import { configError, type RunnerKitError } from "../common/errors.js";
import { formatPlatform, normalizeArchitecture, parsePlatform } from "../reference/platform.js";
import type { Detection } from "./detect.js";
import { binfmtEntries, qemuEntryName, type BinfmtEntry, type BinfmtReader } from "./platform-binfmt.js";
import { emulatorAdvice } from "./platform-emulation.js";
import type { BuildOptions, PreparedVariant } from "./types.js";

/** One platform a build is about to build. */
export interface WantedPlatform {
  variant: string;
  platform: string;
}

/** What the daemon says of itself (GET /version) and what this process runs on. */
export interface DaemonHostFacts {
  addressKind: "unix" | "tcp" | "ssh";
  daemon: { Os?: string; Arch?: string; KernelVersion?: string };
  local: { platform: string; release: string };
}

/**
 * Whether the daemon's kernel is this machine's: a Unix socket to a Linux daemon whose
 * kernel release is ours. Docker Desktop's socket is local but its daemon runs in a VM
 * with its own kernel (and its own emulators), so the release tells them apart.
 */
export function daemonOnThisMachine(facts: DaemonHostFacts): boolean {
  return facts.addressKind === "unix" && facts.local.platform === "linux" && (facts.daemon.Os ?? "linux").toLowerCase() === "linux" && facts.daemon.KernelVersion === facts.local.release;
}

/** The daemon's own platform, normalised ("linux/amd64"). */
export function daemonPlatform(daemon: DaemonHostFacts["daemon"]): string {
  return formatPlatform({ os: (daemon.Os ?? "linux").toLowerCase(), ...normalizeArchitecture(daemon.Arch ?? "amd64") });
}

/** Architectures a kernel runs without an emulator besides its own (32-bit x86 on amd64, 32-bit ARM on arm64). */
const COMPAT: Record<string, string[]> = { amd64: ["386"], arm64: ["arm"] };

/** Whether a kernel of the native platform runs this platform's programs, given its binfmt entries. */
function runnable(native: string, platform: string, entries: readonly BinfmtEntry[]): boolean {
  const own = parsePlatform(native).architecture;
  const want = parsePlatform(platform).architecture;
  if (want === own || COMPAT[own]?.includes(want)) return true;
  return entries.some((e) => e.enabled && e.platform !== undefined && parsePlatform(e.platform).architecture === want);
}

/**
 * The platforms of each multi-platform variant that this run will build, from what the
 * up-to-date check found: none when the registry's index is current, else those with no
 * local image of their content hash (all of them with --force).
 */
export function platformsToBuild(p: PreparedVariant, found: Detection, options: Pick<BuildOptions, "force" | "pushIndex">): string[] {
  if (!p.platforms || found.error !== undefined || options.pushIndex) return [];
  if (options.force || !found.platforms) return p.platforms.map((t) => t.platform);
  const detected = found.platforms;
  if (detected.remote) return [];
  return p.platforms.filter((t) => detected.local[t.platform] === undefined).map((t) => t.platform);
}

/**
 * The configuration error for the wanted platforms this kernel cannot run (undefined when
 * it runs them all): which platform of which image, the missing qemu-<arch> entry (or the
 * unmounted binfmt_misc, or a disabled entry) and what to install.
 */
export function emulatorProblem(native: string, wanted: readonly WantedPlatform[], entries: readonly BinfmtEntry[] | undefined): RunnerKitError | undefined {
  const missing = wanted.filter((w) => !runnable(native, w.platform, entries ?? []));
  if (missing.length === 0) return undefined;
  const platforms = [...new Set(missing.map((m) => m.platform))];
  const what = platforms
    .map((platform) => {
      const images = missing.filter((m) => m.platform === platform).map((m) => m.variant);
      const qemu = qemuEntryName(parsePlatform(platform).architecture);
      const disabled = entries?.some((e) => !e.enabled && e.name === qemu);
      return `${platform} for ${images.join(", ")} (${entries === undefined ? `/proc/sys/fs/binfmt_misc is not mounted, so there is no ${qemu} entry` : disabled ? `the ${qemu} entry is registered but disabled` : `no ${qemu} entry in /proc/sys/fs/binfmt_misc`})`;
    })
    .join("; ");
  const mount = entries === undefined ? "mount it (mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc), then " : "";
  return configError(`the Docker daemon runs on this machine (${native}), whose kernel has no emulator for ${what}; nothing was built`, {
    hint: `${mount}${emulatorAdvice(platforms[0]!).replace(/^Install/, mount ? "install" : "Install")}${platforms.length > 1 ? ` (likewise for ${platforms.slice(1).map((p) => parsePlatform(p).architecture).join(", ")})` : ""}`,
  });
}

/** Every foreign-or-not platform this run will build, once the up-to-date check has answered for each variant. */
export async function wantedPlatforms(prepared: readonly PreparedVariant[], detection: (id: string) => Promise<Detection>, options: Pick<BuildOptions, "force" | "pushIndex">): Promise<WantedPlatform[]> {
  const wanted: WantedPlatform[] = [];
  for (const p of prepared) {
    if (!p.platforms) continue;
    for (const platform of platformsToBuild(p, await detection(p.variant.id), options)) wanted.push({ variant: p.variant.id, platform });
  }
  return wanted;
}

/**
 * BuildDeps.checkEmulators over the daemon's facts (asked only when a multi-platform
 * variant builds something) and a binfmt_misc reader: throws emulatorProblem's error when
 * the daemon is on this machine and lacks an emulator; otherwise does nothing.
 */
export function emulatorCheck(facts: () => Promise<DaemonHostFacts>, binfmt: BinfmtReader): (wanted: readonly WantedPlatform[]) => Promise<void> {
  return async (wanted) => {
    if (wanted.length === 0) return;
    const host = await facts();
    if (!daemonOnThisMachine(host)) return;
    const problem = emulatorProblem(daemonPlatform(host.daemon), wanted, binfmtEntries(binfmt));
    if (problem) throw problem;
  };
}
