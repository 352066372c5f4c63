import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { binfmtDirReader } from "../../src/bake/platform-binfmt.js";
import { daemonOnThisMachine, emulatorCheck, emulatorProblem, platformsToBuild, wantedPlatforms, type DaemonHostFacts } from "../../src/bake/platform-emulators.js";
import { platformTargets } from "../../src/bake/platform-targets.js";
import type { PreparedVariant } from "../../src/bake/types.js";
import { projectPlatformsCheck } from "../../src/doctor/daemon-checks.js";
import { binfmtEntries } from "../../src/bake/platform-binfmt.js";
import { RunnerKitError } from "../../src/common/errors.js";

// As /proc/sys/fs/binfmt_misc/qemu-aarch64 and qemu-s390x read with qemu-user-static.
const AARCH64 = "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: PF\noffset 0\nmagic 7f454c460201010000000000000000000200b700\nmask ffffffffffffff00fffffffffffffffffeffffff\n";
const S390X = "enabled\ninterpreter /usr/bin/qemu-s390x\nflags: F\noffset 0\nmagic 7f454c4602020100000000000000000000020016\n";

const dirs: string[] = [];
/** A fake binfmt_misc folder: `status` marks it mounted; each entry a file. */
function binfmtDir(entries: Record<string, string> | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), "rk-binfmt-"));
  dirs.push(dir);
  if (entries) {
    writeFileSync(join(dir, "status"), "enabled\n");
    writeFileSync(join(dir, "register"), "");
    for (const [name, text] of Object.entries(entries)) writeFileSync(join(dir, name), text);
  } else mkdirSync(join(dir, "empty"));
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const entriesOf = (files: Record<string, string> | undefined) => binfmtEntries(binfmtDirReader(binfmtDir(files)));
const local: DaemonHostFacts = { addressKind: "unix", daemon: { Os: "linux", Arch: "x86_64", KernelVersion: "6.1.0-18-amd64" }, local: { platform: "linux", release: "6.1.0-18-amd64" } };

describe("build: the early emulator check (binfmt_misc)", () => {
  it("passes the daemon's own platform, its compat 32-bit one and every enabled qemu entry", () => {
    const entries = entriesOf({ "qemu-aarch64": AARCH64 });
    const wanted = ["linux/amd64", "linux/386", "linux/arm64", "linux/arm64/v8"].map((platform) => ({ variant: "app", platform }));
    expect(emulatorProblem("linux/amd64", wanted, entries)).toBeUndefined();
  });

  it("names the platform, the image, the missing qemu-<arch> entry and what to install; exit 2", () => {
    const problem = emulatorProblem("linux/amd64", [{ variant: "app", platform: "linux/arm64" }, { variant: "data/app", platform: "linux/arm64" }, { variant: "app", platform: "linux/amd64" }], entriesOf({ "qemu-s390x": S390X }));
    expect(problem).toBeInstanceOf(RunnerKitError);
    expect(problem!.kind).toBe("config");
    const text = problem!.toParagraph();
    expect(text).toContain("no emulator for linux/arm64 for app, data/app (no qemu-aarch64 entry in /proc/sys/fs/binfmt_misc)");
    expect(text).toContain("apt-get install qemu-user-static binfmt-support, then update-binfmts --enable qemu-aarch64");
    expect(text).toContain("tonistiigi/binfmt --install arm64");
    expect(text).not.toContain("linux/amd64 for");
  });

  it("a disabled entry and an unmounted binfmt_misc are said as such", () => {
    const disabled = emulatorProblem("linux/amd64", [{ variant: "app", platform: "linux/arm64" }], entriesOf({ "qemu-aarch64": AARCH64.replace(/^enabled/, "disabled") }));
    expect(disabled!.message).toContain("the qemu-aarch64 entry is registered but disabled");
    const unmounted = emulatorProblem("linux/amd64", [{ variant: "app", platform: "linux/s390x" }], entriesOf(undefined));
    expect(unmounted!.message).toContain("/proc/sys/fs/binfmt_misc is not mounted, so there is no qemu-s390x entry");
    expect(unmounted!.hint).toContain("mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc");
  });

  it("reads the kernel only when the daemon is on this machine: a Unix socket to this very kernel", () => {
    expect(daemonOnThisMachine(local)).toBe(true);
    expect(daemonOnThisMachine({ ...local, addressKind: "tcp" })).toBe(false);
    expect(daemonOnThisMachine({ ...local, addressKind: "ssh" })).toBe(false);
    // Docker Desktop: a local socket, a daemon in a VM with its own kernel.
    expect(daemonOnThisMachine({ ...local, daemon: { ...local.daemon, KernelVersion: "6.6.16-linuxkit" } })).toBe(false);
    expect(daemonOnThisMachine({ ...local, local: { platform: "darwin", release: "6.1.0-18-amd64" } })).toBe(false);
  });

  it("throws before anything builds on this machine; a remote daemon is left to the build's exec-format detection", async () => {
    const wanted = [{ variant: "app", platform: "linux/arm64" }];
    const none = binfmtDirReader(binfmtDir({}));
    await expect(emulatorCheck(async () => local, none)(wanted)).rejects.toThrow(/no qemu-aarch64 entry/);
    await expect(emulatorCheck(async () => ({ ...local, addressKind: "tcp" }), none)(wanted)).resolves.toBeUndefined();
    // Nothing to build: the daemon is not even asked.
    await expect(emulatorCheck(async () => { throw new Error("asked"); }, none)([])).resolves.toBeUndefined();
  });

  it("checks only the platforms this run builds: none when the registry's index is current, those without a local image", async () => {
    const p = { variant: { id: "app" }, platforms: platformTargets("sha256:" + "a".repeat(64), ["linux/amd64", "linux/arm64", "linux/s390x"]) } as unknown as PreparedVariant;
    const single = { variant: { id: "solo" } } as unknown as PreparedVariant;
    expect(platformsToBuild(p, { platforms: { local: { "linux/arm64": "sha256:1" } } }, { force: false })).toEqual(["linux/amd64", "linux/s390x"]);
    expect(platformsToBuild(p, { platforms: { local: { "linux/arm64": "sha256:1" } } }, { force: true })).toEqual(["linux/amd64", "linux/arm64", "linux/s390x"]);
    expect(platformsToBuild(p, { platforms: { local: {}, remote: { digest: "sha256:2", images: {} } } }, { force: false })).toEqual([]);
    expect(platformsToBuild(p, { error: new Error("registry down") }, { force: false })).toEqual([]);
    const found = { app: { platforms: { local: { "linux/amd64": "sha256:1", "linux/s390x": "sha256:3" } } }, solo: {} };
    expect(await wantedPlatforms([p, single], async (id) => found[id as "app" | "solo"], { force: false })).toEqual([{ variant: "app", platform: "linux/arm64" }]);
  });
});

describe("doctor: the project's platforms against the daemon's emulators", () => {
  it("ok when each is runnable, a problem naming the entry otherwise, nothing for a remote daemon or no platforms", () => {
    const variants = [{ id: "app", platforms: ["linux/amd64", "linux/arm64"] }, { id: "solo" }];
    expect(projectPlatformsCheck(local, variants, entriesOf({ "qemu-aarch64": AARCH64 }))).toMatchObject({ area: "platforms", subject: "linux/amd64, linux/arm64", status: "ok" });
    const problem = projectPlatformsCheck(local, variants, entriesOf({}));
    expect(problem).toMatchObject({ status: "problem", fix: expect.stringContaining("qemu-user-static") });
    expect(problem!.detail).toContain("no qemu-aarch64 entry");
    expect(projectPlatformsCheck({ ...local, addressKind: "tcp" }, variants, entriesOf({}))).toBeUndefined();
    expect(projectPlatformsCheck(local, [{ id: "solo" }], entriesOf({}))).toBeUndefined();
  });
});
