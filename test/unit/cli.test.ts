import { describe, expect, it } from "vitest";
import { runInProcess } from "../support/cli.js";

const COMMANDS = ["init", "render", "lint", "build", "config", "smoke", "ci", "lock"];

describe("CLI entry", () => {
  it("lists every command of the design in --help", async () => {
    const { code, stdout } = await runInProcess(["--help"]);
    expect(code).toBe(0);
    for (const name of COMMANDS) expect(stdout).toMatch(new RegExp(`^  ${name} `, "m"));
  });

  it("prints the overview with no command", async () => {
    const { code, stdout } = await runInProcess([]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: runner-kit");
  });

  it("has an example in every command's --help", async () => {
    for (const name of COMMANDS) {
      const { code, stdout } = await runInProcess([name, "--help"]);
      expect(code, name).toBe(0);
      expect(stdout, name).toMatch(/\$ runner-kit /);
    }
  });

  it("suggests the nearest command and flag, exit 2", async () => {
    const cmd = await runInProcess(["buidl"]);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain("Did you mean build?");
    const flag = await runInProcess(["build", "--pussh"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Did you mean --push?");
  });

  it("prints the package version", async () => {
    const { code, stdout } = await runInProcess(["--version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
