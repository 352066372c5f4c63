/**
 * The platforms a daemon can run: its own, plus every foreign architecture the kernel hands
 * to an emulator through binfmt_misc (`/proc/sys/fs/binfmt_misc/<name>`, what
 * qemu-user-static with binfmt-support or tonistiigi/binfmt register). The architecture is
 * read from the entry's ELF magic (class, byte order, e_machine), the entry's name only
 * when the magic says nothing. Pure but for the reader passed in (binfmtDirReader reads the
 * real folder). Shared by build's early emulator check and doctor.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { formatPlatform, normalizeArchitecture } from "../reference/platform.js";

/** Where the kernel lists its binfmt_misc entries. */
export const BINFMT_DIR = "/proc/sys/fs/binfmt_misc";

export interface BinfmtEntry {
  name: string;
  enabled: boolean;
  interpreter?: string;
  /** The Go/OCI architecture it runs, when the entry is an ELF emulator. */
  platform?: string;
}

/** e_machine → architecture by ELF class (1: 32-bit, 2: 64-bit) and byte order (1: little). */
function elfArchitecture(machine: number, elfClass: number, littleEndian: boolean): string | undefined {
  switch (machine) {
    case 3:
      return "386";
    case 62:
      return "amd64";
    case 40:
      return "arm";
    case 183:
      return "arm64";
    case 21:
      return littleEndian ? "ppc64le" : "ppc64";
    case 22:
      return elfClass === 2 ? "s390x" : "s390";
    case 243:
      return elfClass === 2 ? "riscv64" : "riscv";
    case 8:
      return `${elfClass === 2 ? "mips64" : "mips"}${littleEndian ? "le" : ""}`;
    case 258:
      return "loong64";
    default:
      return undefined;
  }
}

function fromMagic(magic: string | undefined): string | undefined {
  if (!magic || !/^7f454c46[0-9a-f]{32,}$/i.test(magic)) return undefined;
  const byte = (i: number) => Number.parseInt(magic.slice(i * 2, i * 2 + 2), 16);
  const littleEndian = byte(5) === 1;
  const machine = littleEndian ? byte(18) + byte(19) * 256 : byte(18) * 256 + byte(19);
  return elfArchitecture(machine, byte(4), littleEndian);
}

/** Go/OCI architecture → QEMU's name for it (its binfmt_misc entry is qemu-<name>). */
const QEMU_NAMES: Record<string, string> = { arm64: "aarch64", amd64: "x86_64", "386": "i386", arm: "arm", ppc64le: "ppc64le", s390x: "s390x", riscv64: "riscv64", mips64le: "mips64el", loong64: "loongarch64" };
const FROM_QEMU = Object.fromEntries(Object.entries(QEMU_NAMES).map(([arch, qemu]) => [qemu, arch]));

/** The binfmt_misc entry QEMU's installers register for an architecture: "qemu-aarch64" for arm64. */
export function qemuEntryName(architecture: string): string {
  return `qemu-${QEMU_NAMES[architecture] ?? architecture}`;
}

/** One `/proc/sys/fs/binfmt_misc/<name>` file. */
export function parseBinfmtEntry(name: string, text: string): BinfmtEntry {
  const lines = text.split("\n").map((l) => l.trim());
  const field = (key: string) => lines.find((l) => l.startsWith(`${key} `))?.slice(key.length + 1).trim();
  const arch = fromMagic(field("magic")) ?? FROM_QEMU[name.replace(/^qemu-/, "")];
  const entry: BinfmtEntry = { name, enabled: lines[0] === "enabled" };
  const interpreter = field("interpreter");
  if (interpreter) entry.interpreter = interpreter;
  if (arch) entry.platform = formatPlatform({ os: "linux", ...normalizeArchitecture(arch) });
  return entry;
}

export interface BinfmtReader {
  /** Entry names in the binfmt_misc folder; undefined when it is not mounted. */
  list(): string[] | undefined;
  read(name: string): string | undefined;
}

/** The reader over a binfmt_misc folder (a folder without `status` is not mounted). */
export function binfmtDirReader(dir: string = BINFMT_DIR): BinfmtReader {
  return {
    list: () => (existsSync(join(dir, "status")) ? readdirSync(dir) : undefined),
    read: (name) => {
      try {
        return readFileSync(join(dir, name), "utf8");
      } catch {
        return undefined;
      }
    },
  };
}

/** Every emulator entry (not `register` or `status`). */
export function binfmtEntries(reader: BinfmtReader): BinfmtEntry[] | undefined {
  const names = reader.list();
  if (names === undefined) return undefined;
  return names
    .filter((n) => n !== "register" && n !== "status")
    .sort()
    .flatMap((name) => {
      const text = reader.read(name);
      return text === undefined ? [] : [parseBinfmtEntry(name, text)];
    });
}

/** The daemon's own platform, then each enabled emulated one that differs from it. */
export function runnablePlatforms(native: string, entries: readonly BinfmtEntry[]): { native: string; emulated: string[] } {
  const emulated = [...new Set(entries.filter((e) => e.enabled && e.platform && e.platform !== native).map((e) => e.platform!))];
  return { native, emulated };
}
