import { configError, type SourceLocation } from "../common/errors.js";

/**
 * A target platform as the OCI image index and the Engine API spell it. Parsed and
 * normalised as containerd's `platforms` package does, so `linux/arm64/v8`, `arm64` and
 * `aarch64` are one platform and `arm` means `arm/v7`.
 */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const KNOWN_OS = new Set([
  "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js",
  "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows", "zos",
]);

const KNOWN_ARCH = new Set([
  "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "loong64", "mips", "mipsle",
  "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc", "ppc64", "ppc64le", "riscv", "riscv64",
  "s390", "s390x", "sparc", "sparc64", "wasm",
  // aliases normalizeArch maps onto the names above
  "i386", "x86_64", "x86-64", "aarch64", "armhf", "armel",
]);

const COMPONENT = /^[A-Za-z0-9_.-]+$/;

/** containerd's normalizeArch: one spelling per architecture, the default variant dropped. */
export function normalizeArchitecture(architecture: string, variant = ""): { architecture: string; variant: string } {
  let arch = architecture.toLowerCase();
  let v = variant.toLowerCase();
  switch (arch) {
    case "i386":
      arch = "386";
      v = "";
      break;
    case "x86_64":
    case "x86-64":
    case "amd64":
      arch = "amd64";
      if (v === "v1") v = "";
      break;
    case "aarch64":
    case "arm64":
      arch = "arm64";
      if (v === "8" || v === "v8" || v === "v8.0") v = "";
      else if (v === "9" || v === "9.0" || v === "v9.0") v = "v9";
      break;
    case "armhf":
      arch = "arm";
      v = "v7";
      break;
    case "armel":
      arch = "arm";
      v = "v6";
      break;
    case "arm":
      if (v === "" || v === "7") v = "v7";
      else if (v === "5" || v === "6" || v === "8") v = `v${v}`;
      break;
  }
  return { architecture: arch, variant: v };
}

function normalizeOs(os: string): string {
  const lower = os.toLowerCase();
  return lower === "macos" ? "darwin" : lower;
}

/** The normalised form of a platform (variant omitted when it is the default). */
export function normalizePlatform(platform: Platform): Platform {
  const { architecture, variant } = normalizeArchitecture(platform.architecture, platform.variant ?? "");
  return { os: normalizeOs(platform.os), architecture, ...(variant ? { variant } : {}) };
}

export interface ParsePlatformOptions {
  /** Where the text was read (project file position, flag), for the error. */
  where?: SourceLocation | string;
  /** Fills the architecture of an OS-only specifier ("linux"); usually the daemon's platform. */
  defaultArchitecture?: string;
}

function bad(text: string, why: string, options: ParsePlatformOptions) {
  return configError(`"${text}" is not a platform: ${why}`, {
    ...(options.where !== undefined ? { where: options.where } : {}),
    hint: "write os/architecture[/variant], for example linux/amd64, linux/arm64 or linux/arm/v7",
  });
}

/**
 * Parse a platform specifier as containerd's platforms.Parse: `os/arch[/variant]`, or one
 * component that is an architecture (`amd64` → linux/amd64) or an OS (its architecture
 * from options.defaultArchitecture). Invalid input throws a configuration RunnerKitError.
 */
export function parsePlatform(text: string, options: ParsePlatformOptions = {}): Platform {
  const parts = text.split("/");
  if (text.trim() === "") throw bad(text, "it is empty", options);
  if (parts.length > 3) throw bad(text, "it has more than three parts", options);
  const wrong = parts.find((part) => !COMPONENT.test(part));
  if (wrong !== undefined) throw bad(text, wrong === "" ? "it has an empty part" : `"${wrong}" has characters other than letters, digits, ".", "_" and "-"`, options);
  const [first, second, third] = parts.map((p) => p.toLowerCase()) as [string, string?, string?];
  if (second === undefined) {
    if (KNOWN_ARCH.has(first)) return normalizePlatform({ os: "linux", architecture: first });
    if (KNOWN_OS.has(normalizeOs(first))) {
      if (!options.defaultArchitecture) throw bad(text, `it names an operating system but no architecture`, options);
      return normalizePlatform({ os: first, architecture: options.defaultArchitecture });
    }
    throw bad(text, `"${first}" is neither a known architecture nor a known operating system`, options);
  }
  if (!KNOWN_OS.has(normalizeOs(first))) throw bad(text, `"${first}" is not a known operating system`, options);
  if (!KNOWN_ARCH.has(second)) throw bad(text, `"${second}" is not a known architecture`, options);
  return normalizePlatform({ os: first, architecture: second, ...(third ? { variant: third } : {}) });
}

/** "linux/arm64", "linux/arm/v7" (normalised). */
export function formatPlatform(platform: Platform): string {
  const p = normalizePlatform(platform);
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

/** The same platform once both are normalised (linux/arm64 = linux/arm64/v8). */
export function samePlatform(a: Platform, b: Platform): boolean {
  return formatPlatform(a) === formatPlatform(b);
}
