/**
 * What doctor says about the daemon: where it is and how that was decided (the docker CLI's
 * order, engine/address.ts), its version, the builder a build would get
 * (builder/builder-choice.ts) and the platforms it can run. Pure: the facts are passed in.
 */
import { chooseBuilder, DEFAULT_BUILDER, type DaemonVersion } from "../builder/builder-choice.js";
import type { DaemonAddress } from "../engine/address.js";
import { isRunnerKitError } from "../common/errors.js";
import { formatPlatform, normalizeArchitecture } from "../reference/platform.js";
import { runnablePlatforms, type BinfmtEntry } from "../bake/platform-binfmt.js";
import { daemonOnThisMachine, daemonPlatform, emulatorProblem, type DaemonHostFacts } from "../bake/platform-emulators.js";
import { check, type Check } from "./types.js";

export type DaemonFacts = DaemonVersion & { Arch?: string; KernelVersion?: string };

/** How the address was chosen: the last place discovery looked at is the one it took. */
export function howFound(address: DaemonAddress): string {
  return address.tried.at(-1) ?? address.display;
}

export function daemonCheck(address: DaemonAddress, version: DaemonFacts): Check {
  const os = `${version.Os ?? "unknown OS"}/${version.Arch ?? "unknown architecture"}`;
  return check("daemon", address.display, "ok", `found by ${howFound(address)}; Docker ${version.Version ?? "(unknown version)"}, API ${version.ApiVersion ?? "unknown"}, ${os}`);
}

/** A daemon that did not answer: the connection error's own paragraph is the fix. */
export function daemonDownCheck(address: DaemonAddress | undefined, error: unknown): Check {
  const text = isRunnerKitError(error) ? error.message : error instanceof Error ? error.message : String(error);
  const fix = isRunnerKitError(error) && error.hint ? error.hint : "start the Docker daemon, or point DOCKER_HOST or DOCKER_CONTEXT at one";
  return check("daemon", address?.display ?? "(no address)", "problem", text, fix);
}

export function builderCheck(version: DaemonVersion, requested: { kind: "buildkit" | "classic"; where: string } | undefined): Check {
  try {
    const asked = requested ?? DEFAULT_BUILDER;
    const kind = chooseBuilder(asked.kind, version, asked.where);
    const why = requested ? `asked for by ${requested.where}` : "runner-kit's default; the daemon has it";
    return check("builder", kind === "buildkit" ? "BuildKit" : "classic", "ok", why);
  } catch (error) {
    const hint = isRunnerKitError(error) ? error.hint : undefined;
    return check("builder", "BuildKit", "problem", error instanceof Error ? error.message : String(error), hint);
  }
}

/**
 * The daemon's platform, and the emulated ones when the daemon runs on this machine (a
 * Unix socket): binfmt_misc is the kernel's, so a remote daemon's cannot be read from here.
 */
export function platformsCheck(address: DaemonAddress, version: DaemonFacts, entries: readonly BinfmtEntry[] | undefined): Check {
  const native = formatPlatform({ os: (version.Os ?? "linux").toLowerCase(), ...normalizeArchitecture(version.Arch ?? "amd64") });
  if (address.kind !== "unix") {
    return check("platforms", native, "ok", "the daemon's own; the daemon is not on this machine, so its emulators cannot be read from here");
  }
  if (entries === undefined) {
    return check("platforms", native, "ok", "the daemon's own only: /proc/sys/fs/binfmt_misc is not mounted, so no other platform is emulated", "to build other platforms install qemu-user-static and binfmt-support (or run tonistiigi/binfmt --install) on the daemon's machine");
  }
  const { emulated } = runnablePlatforms(native, entries);
  const disabled = entries.filter((e) => !e.enabled && e.platform).map((e) => `${e.platform} (${e.name})`);
  const list = [native, ...emulated].join(", ");
  const emulators = entries.filter((e) => e.enabled && e.platform && emulated.includes(e.platform)).map((e) => e.name);
  const detail = emulated.length ? `${emulated.join(", ")} emulated through binfmt_misc (${emulators.join(", ")})` : `${native} only: no emulator is registered in binfmt_misc`;
  if (disabled.length > 0) return check("platforms", list, "warning", `${detail}; registered but disabled: ${disabled.join(", ")}`, "enable them with `update-binfmts --enable`");
  return check("platforms", list, "ok", detail);
}

/**
 * The platforms the project's images are built for, against the emulators of the daemon's
 * machine: build's early check (bake/platform-emulators.ts) said ahead of time. Undefined
 * when no image lists platforms or the daemon is not on this machine (then only the build
 * can tell, from the daemon's "exec format error").
 */
export function projectPlatformsCheck(facts: DaemonHostFacts, variants: readonly { id: string; platforms?: string[] }[], entries: readonly BinfmtEntry[] | undefined): Check | undefined {
  const wanted = variants.flatMap((v) => (v.platforms ?? []).map((platform) => ({ variant: v.id, platform })));
  if (wanted.length === 0 || !daemonOnThisMachine(facts)) return undefined;
  const subject = [...new Set(wanted.map((w) => w.platform))].join(", ");
  const problem = emulatorProblem(daemonPlatform(facts.daemon), wanted, entries);
  if (!problem) return check("platforms", subject, "ok", "the project's platforms: the daemon's machine runs each of them");
  return check("platforms", subject, "problem", problem.message.replace(/; nothing was built$/, ""), problem.hint);
}
