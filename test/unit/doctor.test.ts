import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { DaemonAddress } from "../../src/engine/address.js";
import { builderCheck, daemonCheck, platformsCheck } from "../../src/doctor/daemon-checks.js";
import { binfmtEntries, parseBinfmtEntry, runnablePlatforms } from "../../src/bake/platform-binfmt.js";
import { credentialChecks } from "../../src/doctor/credential-checks.js";
import { findOnPath } from "../../src/doctor/on-path.js";
import { projectRegistries } from "../../src/doctor/project-registries.js";
import { doctorDocument, doctorText } from "../../src/doctor/report.js";
import type { Plan, Variant } from "../../src/project/plan.js";
import { writeProjectFile } from "../support/project-files.js";

// As this machine's /proc/sys/fs/binfmt_misc/qemu-aarch64 reads (qemu-user-static, binfmt-support).
const AARCH64 = "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: PF\noffset 0\nmagic 7f454c460201010000000000000000000200b700\nmask ffffffffffffff00fffffffffffffffffeffffff\n";
const ARM = "enabled\ninterpreter /usr/bin/qemu-arm-static\nflags: F\noffset 0\nmagic 7f454c4601010100000000000000000002002800\n";
const RISCV = "disabled\ninterpreter /usr/bin/qemu-riscv64\nflags: \noffset 0\nmagic 7f454c460201010000000000000000000200f300\n";
const S390X = "enabled\ninterpreter /usr/bin/qemu-s390x\nflags: F\noffset 0\nmagic 7f454c46020201000000000000000000000200016\n".replace("000200016", "00020016");

const unix: DaemonAddress = { kind: "unix", socketPath: "/var/run/docker.sock", display: "unix:///var/run/docker.sock", tried: ["DOCKER_HOST (not set)", "unix:///var/run/docker.sock (the default socket)"] };
const tcp: DaemonAddress = { kind: "tcp", host: "docker", port: 2376, tls: undefined, display: "tcp://docker:2376", tried: ["DOCKER_HOST=tcp://docker:2376"] };
const here = { Version: "20.10.24", ApiVersion: "1.41", Os: "linux", Arch: "amd64" };

describe("doctor: the platforms a daemon runs (binfmt_misc)", () => {
  it("reads the architecture from the entry's ELF magic: class, byte order and e_machine", () => {
    expect(parseBinfmtEntry("qemu-aarch64", AARCH64)).toEqual({ name: "qemu-aarch64", enabled: true, interpreter: "/usr/libexec/qemu-binfmt/aarch64-binfmt-P", platform: "linux/arm64" });
    expect(parseBinfmtEntry("arm", ARM).platform).toBe("linux/arm/v7");
    expect(parseBinfmtEntry("qemu-riscv64", RISCV)).toMatchObject({ enabled: false, platform: "linux/riscv64" });
    expect(parseBinfmtEntry("qemu-s390x", S390X).platform).toBe("linux/s390x");
    // Not an ELF emulator (e.g. a Python or Wine handler) and an unknown name: no platform.
    expect(parseBinfmtEntry("python3.11", "enabled\ninterpreter /usr/bin/python3.11\nmagic 550d0d0a\n").platform).toBeUndefined();
    // No magic (an extension rule): the qemu-<arch> name decides.
    expect(parseBinfmtEntry("qemu-aarch64", "enabled\ninterpreter /x\nextension .foo\n").platform).toBe("linux/arm64");
  });

  it("lists the entries but register and status; an unmounted binfmt_misc is undefined", () => {
    const files: Record<string, string> = { register: "", status: "enabled\n", "qemu-aarch64": AARCH64, "qemu-riscv64": RISCV };
    const entries = binfmtEntries({ list: () => Object.keys(files), read: (n) => files[n] });
    expect(entries?.map((e) => e.name)).toEqual(["qemu-aarch64", "qemu-riscv64"]);
    expect(binfmtEntries({ list: () => undefined, read: () => undefined })).toBeUndefined();
    // Only enabled emulators of other platforms count; the native one is not "emulated".
    const amd64 = parseBinfmtEntry("qemu-x86_64", "enabled\nmagic 7f454c4602010100000000000000000002003e00\n");
    expect(runnablePlatforms("linux/amd64", [...entries!, amd64])).toEqual({ native: "linux/amd64", emulated: ["linux/arm64"] });
  });

  it("a local daemon's emulated platforms; a disabled emulator is a warning; a remote daemon's cannot be read", () => {
    const entries = [parseBinfmtEntry("qemu-aarch64", AARCH64)];
    expect(platformsCheck(unix, here, entries)).toMatchObject({ status: "ok", subject: "linux/amd64, linux/arm64", detail: "linux/arm64 emulated through binfmt_misc (qemu-aarch64)" });
    const disabled = platformsCheck(unix, here, [...entries, parseBinfmtEntry("qemu-riscv64", RISCV)]);
    expect(disabled).toMatchObject({ status: "warning", fix: expect.stringContaining("update-binfmts --enable") });
    expect(disabled.detail).toContain("linux/riscv64 (qemu-riscv64)");
    expect(platformsCheck(tcp, here, entries)).toMatchObject({ subject: "linux/amd64", detail: expect.stringContaining("not on this machine") });
    expect(platformsCheck(unix, { ...here, Arch: "aarch64" }, undefined)).toMatchObject({ subject: "linux/arm64", fix: expect.stringContaining("qemu-user-static") });
  });
});

describe("doctor: daemon and builder", () => {
  it("names the address, how it was found and the version", () => {
    expect(daemonCheck(unix, here).detail).toBe("found by unix:///var/run/docker.sock (the default socket); Docker 20.10.24, API 1.41, linux/amd64");
    expect(daemonCheck(tcp, here).detail).toMatch(/^found by DOCKER_HOST=tcp:\/\/docker:2376;/);
  });

  it("the builder a build gets, and BuildKit asked of a daemon without it as a problem with its fix", () => {
    expect(builderCheck(here, undefined)).toMatchObject({ status: "ok", subject: "BuildKit", detail: "runner-kit's default; the daemon has it" });
    expect(builderCheck(here, { kind: "classic", where: "runner-kit.yaml:1:1: builder: classic" })).toMatchObject({ subject: "classic", detail: "asked for by runner-kit.yaml:1:1: builder: classic" });
    const old = { Version: "18.06.3-ce", ApiVersion: "1.38", Os: "linux" };
    expect(builderCheck(old, undefined)).toMatchObject({ status: "problem", fix: expect.stringContaining("builder: classic") });
    expect(builderCheck(old, { kind: "buildkit", where: "runner-kit.yaml:1:1: builder: buildkit" })).toMatchObject({ status: "problem", fix: expect.stringContaining("builder: classic") });
  });
});

describe("doctor: credential sources and helpers", () => {
  const dir = mkdtempSync(join(tmpdir(), "rk-doctor-unit-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeProjectFile(dir, "home/.docker/config.json", JSON.stringify({ auths: { "registry.example.com": { auth: Buffer.from("u:hunter22").toString("base64") } }, credHelpers: { "123.dkr.ecr.us-east-1.amazonaws.com": "ecr-login" } }));
  writeProjectFile(dir, "ci/config.json", JSON.stringify({ credsStore: "pass", credHelpers: { "gcr.io": "gcloud" } }));
  writeProjectFile(dir, "bin/docker-credential-gcloud", "#!/bin/sh\nexit 1\n");
  chmodSync(join(dir, "bin/docker-credential-gcloud"), 0o755);
  writeProjectFile(dir, "bin/docker-credential-pass", "not executable");

  it("finds a program on PATH only when it is an executable file", () => {
    const env = { PATH: `/nonexistent:${join(dir, "bin")}` };
    expect(findOnPath("docker-credential-gcloud", env)).toBe(join(dir, "bin/docker-credential-gcloud"));
    expect(findOnPath("docker-credential-pass", env)).toBeUndefined();
    expect(findOnPath("docker-credential-gcloud", {})).toBeUndefined();
  });

  it("both config.json rules when DOCKER_CONFIG names another folder; each helper on PATH or a problem naming where it is used; no secret", async () => {
    const env = { HOME: join(dir, "home"), DOCKER_CONFIG: join(dir, "ci"), PATH: join(dir, "bin"), DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { "ghcr.io": { auth: Buffer.from("me:s3cret-token").toString("base64") } } }) };
    const checks = await credentialChecks(env, (p) => findOnPath(p, env));
    const text = JSON.stringify(checks);
    expect(text).not.toMatch(/hunter22|s3cret-token|dTpodW50ZXIyMg/);
    expect(checks.map((c) => `${c.status} ${c.area} ${c.subject}`)).toEqual([
      "ok credentials DOCKER_AUTH_CONFIG",
      `ok credentials ${join(dir, "ci/config.json")}`,
      `ok credentials ${join(dir, "home/.docker/config.json")}`,
      "ok helper docker-credential-gcloud",
      "problem helper docker-credential-pass",
      "problem helper docker-credential-ecr-login",
    ]);
    expect(checks[0]!.detail).toContain("auths for ghcr.io");
    expect(checks[1]!.detail).toMatch(/^read by build and push \(DOCKER_CONFIG\): credHelpers gcr.io → gcloud; credsStore pass$/);
    expect(checks[2]!.detail).toMatch(/^read by smoke/);
    expect(checks[5]).toMatchObject({ detail: expect.stringContaining(join(dir, "home/.docker/config.json")), fix: expect.stringContaining("install docker-credential-ecr-login") });
  });

  it("a config.json that is not JSON is a problem naming the file; a missing one is not", async () => {
    writeProjectFile(dir, "bad/config.json", "{ nope");
    const bad = await credentialChecks({ HOME: join(dir, "nohome"), DOCKER_CONFIG: join(dir, "bad") }, () => undefined);
    expect(bad.find((c) => c.status === "problem")).toMatchObject({ area: "credentials", detail: expect.stringContaining(join(dir, "bad/config.json")) });
    const none = await credentialChecks({ HOME: join(dir, "nohome") }, () => undefined);
    expect(none.every((c) => c.status === "ok")).toBe(true);
    expect(none[1]!.detail).toContain("no file there");
  });
});

describe("doctor: the registries a project uses", () => {
  const variant = (image: string, repository: string, team?: string): Variant =>
    ({ id: team ? `${team}/${image}` : image, image, repository, tags: ["v1"], args: {}, values: {}, template: image, templateDirs: [], context: ".", dockerfile: "Dockerfile", ...(team ? { team } : {}) }) as Variant;
  const plan = {
    projectFile: "/p/runner-kit.yaml",
    rootDir: "/p",
    registry: "registry.corp:5000/platform",
    variants: [variant("base", "registry.corp:5000/platform/base"), variant("app", "registry.corp:5000/platform/app"), variant("app", "registry.corp:5000/platform/data/app", "data")],
    runner: { image: "quay.io/org/job:1" },
  } as unknown as Plan;

  it("the push registry, base images' registries (not the project's own images) and full-reference job images", () => {
    const bases = new Map([
      ["base", ["debian:bookworm"]],
      ["app", ["registry.corp:5000/platform/base:v1", "gitlab/gitlab-runner:v17.3.0"]],
      ["data/app", ["registry.corp:5000/platform/base:v1", "debian:bookworm"]],
    ]);
    const uses = projectRegistries(plan, bases, { data: { image: "app" } });
    expect(uses.map((u) => [u.domain, u.required, u.uses])).toEqual([
      ["registry.corp:5000", true, ["push (registry: registry.corp:5000/platform)"]],
      ["docker.io", false, ["base image debian:bookworm", "base image gitlab/gitlab-runner:v17.3.0"]],
      ["quay.io", true, ["job image quay.io/org/job:1 (runner.image)"]],
    ]);
    expect(uses[1]!.baseImages).toEqual(["debian:bookworm", "gitlab/gitlab-runner:v17.3.0"]);
  });

  it("the report: one line a check, a fix under each problem, a verdict; JSON with counts", () => {
    const checks = [
      { area: "daemon" as const, subject: "unix:///var/run/docker.sock", status: "ok" as const, detail: "found" },
      { area: "registry" as const, subject: "r:5000", status: "problem" as const, detail: "refused", fix: "log in again" },
    ];
    expect(doctorText(checks)).toBe("ok       daemon    unix:///var/run/docker.sock: found\nPROBLEM  registry  r:5000: refused\n                   fix: log in again\n1 problem, 0 warnings.\n");
    expect(doctorText(checks.slice(0, 1))).toMatch(/\nAll is well\.\n$/);
    expect(doctorDocument(checks, undefined)).toMatchObject({ project: null, ok: false, problems: 1, warnings: 0 });
  });
});
