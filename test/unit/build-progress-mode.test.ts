import { describe, expect, it } from "vitest";
import { progressMode } from "../../src/bake/progress-mode.js";
import { runInProcess } from "../support/cli.js";

describe("--progress", () => {
  it("auto: GitLab sections under GITLAB_CI, a live view on a terminal outside CI, plain lines otherwise", () => {
    expect(progressMode(undefined, { isTTY: true, env: {} })).toBe("tty");
    expect(progressMode("auto", { isTTY: true, env: { CI: "true" } })).toBe("plain");
    expect(progressMode("auto", { isTTY: false, env: {} })).toBe("plain");
    expect(progressMode("auto", { isTTY: true, env: { GITLAB_CI: "true", CI: "true" } })).toBe("gitlab");
  });

  it("a mode asked for wins over the terminal and the environment", () => {
    expect(progressMode("plain", { isTTY: true, env: {} })).toBe("plain");
    expect(progressMode("tty", { isTTY: false, env: { CI: "true" } })).toBe("tty");
    expect(progressMode("gitlab", { isTTY: true, env: {} })).toBe("gitlab");
  });

  it("an unknown mode is a usage error naming the choices", async () => {
    const r = await runInProcess(["build", "--progress", "fancy"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Allowed choices are auto, tty, plain, gitlab");
  });
});
