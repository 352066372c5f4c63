import { describe, expect, it } from "vitest";
import { RunnerKitError } from "../../src/common/errors.js";
import { formatPlatform, normalizePlatform, parsePlatform, samePlatform } from "../../src/reference/platform.js";

describe("parsePlatform (containerd's platforms.Parse + Normalize)", () => {
  it.each([
    ["linux/amd64", "linux/amd64"],
    ["amd64", "linux/amd64"],
    ["x86_64", "linux/amd64"],
    ["linux/x86-64/v1", "linux/amd64"],
    ["linux/amd64/v3", "linux/amd64/v3"],
    ["linux/arm64", "linux/arm64"],
    ["linux/arm64/v8", "linux/arm64"],
    ["aarch64", "linux/arm64"],
    ["linux/arm64/8", "linux/arm64"],
    ["linux/arm64/v9.0", "linux/arm64/v9"],
    ["arm", "linux/arm/v7"],
    ["linux/arm/7", "linux/arm/v7"],
    ["linux/arm/v6", "linux/arm/v6"],
    ["linux/arm/5", "linux/arm/v5"],
    ["armhf", "linux/arm/v7"],
    ["armel", "linux/arm/v6"],
    ["i386", "linux/386"],
    ["Linux/ARM64", "linux/arm64"],
    ["macos/arm64", "darwin/arm64"],
    ["windows/amd64", "windows/amd64"],
    ["linux/s390x", "linux/s390x"],
  ])("%s → %s", (text, expected) => {
    expect(formatPlatform(parsePlatform(text))).toBe(expected);
  });

  it("gives the structured form with the default variant left out", () => {
    expect(parsePlatform("linux/arm64/v8")).toEqual({ os: "linux", architecture: "arm64" });
    expect(parsePlatform("arm")).toEqual({ os: "linux", architecture: "arm", variant: "v7" });
  });

  it("takes an OS-only specifier's architecture from the caller (the daemon's)", () => {
    expect(parsePlatform("linux", { defaultArchitecture: "aarch64" })).toEqual({ os: "linux", architecture: "arm64" });
    expect(() => parsePlatform("linux")).toThrow(/names an operating system but no architecture/);
  });

  it.each([
    ["", /it is empty/],
    ["linux/arm64/v8/extra", /more than three parts/],
    ["linux//v8", /an empty part/],
    ["linux/arm 64", /"arm 64" has characters other than/],
    ["plan10/amd64", /"plan10" is not a known operating system/],
    ["linux/z80", /"z80" is not a known architecture/],
    ["sparkle", /"sparkle" is neither a known architecture nor a known operating system/],
  ])("refuses %j with a configuration error saying why", (text, why) => {
    let error: unknown;
    try {
      parsePlatform(text, { where: { file: "runner-kit.yaml", line: 4, column: 17 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RunnerKitError);
    const e = error as RunnerKitError;
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(why);
    expect(e.toParagraph()).toMatch(/^runner-kit\.yaml:4:17: ".*" is not a platform: .*\. Write os\/architecture\[\/variant\], for example linux\/amd64/);
  });
});

describe("platform comparison", () => {
  it("treats spellings of one platform as the same and different variants as different", () => {
    expect(samePlatform({ os: "linux", architecture: "aarch64", variant: "v8" }, { os: "linux", architecture: "arm64" })).toBe(true);
    expect(samePlatform({ os: "linux", architecture: "arm" }, { os: "linux", architecture: "arm", variant: "v7" })).toBe(true);
    expect(samePlatform({ os: "linux", architecture: "arm", variant: "v6" }, { os: "linux", architecture: "arm", variant: "v7" })).toBe(false);
    expect(samePlatform({ os: "linux", architecture: "amd64" }, { os: "windows", architecture: "amd64" })).toBe(false);
  });

  it("normalises what an image config or daemon inspect reports", () => {
    expect(normalizePlatform({ os: "Linux", architecture: "x86_64", variant: "" })).toEqual({ os: "linux", architecture: "amd64" });
  });
});
