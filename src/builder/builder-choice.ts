/**
 * Which builder builds: BuildKit wherever the daemon has it, classic otherwise, or what the
 * project (`builder:`) or the command line (`--builder`) asks for. The daemon has BuildKit
 * when it is a Linux daemon with API 1.39 or newer (Docker 18.09+), read from
 * `GET /version`. `GET /_ping`'s Builder-Version header is not used: it names the daemon's
 * default builder, and Docker 20.10 sends none although its BuildKit works.
 */
import { configError } from "../common/errors.js";
import type { BuilderKind } from "./image-builder.js";

/** The fields of `GET /version` this decision reads. */
export interface DaemonVersion {
  ApiVersion?: string;
  Os?: string;
  Version?: string;
}

/** The first Engine API version whose daemon builds with BuildKit (`POST /build?version=2`, sessions). */
export const BUILDKIT_MIN_API = "1.39";

function apiAtLeast(version: string | undefined, minimum: string): boolean {
  const parse = (v: string) => v.split(".").map((n) => Number.parseInt(n, 10));
  if (!version || !/^\d+\.\d+/.test(version)) return false;
  const [major = 0, minor = 0] = parse(version);
  const [wantMajor = 0, wantMinor = 0] = parse(minimum);
  return major > wantMajor || (major === wantMajor && minor >= wantMinor);
}

/** Whether the daemon builds with BuildKit: Linux, Engine API ≥ 1.39. */
export function daemonHasBuildKit(version: DaemonVersion): boolean {
  return (version.Os ?? "").toLowerCase() === "linux" && apiAtLeast(version.ApiVersion, BUILDKIT_MIN_API);
}

/**
 * The builder to use: the one requested (`requestedBy` says who asked, for the error), or
 * BuildKit when the daemon has it and classic when it has not. Asking for BuildKit from a
 * daemon without it is a configuration error (exit 2) naming the daemon's version.
 */
/** The builder when neither runner-kit.yaml nor --builder names one: every supported Linux daemon has BuildKit. */
export const DEFAULT_BUILDER: { kind: BuilderKind; where: string } = { kind: "buildkit", where: "runner-kit's default builder (no builder: in runner-kit.yaml, no --builder)" };

/** --builder wins over the project's builder:; neither: DEFAULT_BUILDER. */
export function requestedBuilder(flag: BuilderKind | undefined, project: { kind: BuilderKind; where: string } | undefined): { kind: BuilderKind; where: string } {
  if (flag) return { kind: flag, where: `--builder ${flag}` };
  return project ?? DEFAULT_BUILDER;
}

export function chooseBuilder(requested: BuilderKind | undefined, version: DaemonVersion, requestedBy = "the project's builder: setting"): BuilderKind {
  const available = daemonHasBuildKit(version);
  if (requested === "classic") return "classic";
  if (requested === undefined) return available ? "buildkit" : "classic";
  if (available) return "buildkit";
  const daemon = `Docker ${version.Version ?? "(unknown version)"}, API ${version.ApiVersion ?? "unknown"}, ${version.Os ?? "unknown OS"}`;
  throw configError(`${requestedBy} asks for BuildKit and the Docker daemon (${daemon}) has none`, {
    hint: `BuildKit needs a Linux daemon with Engine API ${BUILDKIT_MIN_API} or newer (Docker 18.09+): upgrade the daemon, or build with builder: classic (--builder classic) if the Dockerfiles use no BuildKit syntax such as RUN --mount`,
  });
}
