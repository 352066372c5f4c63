import { describe, expect, it } from "vitest";
import { progressMode } from "../../src/bake/progress-mode.js";
import { jobLogColor } from "../../src/smoke/command.js";
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

describe("smoke --progress: only the job log's colour", () => {
  const at = (env: NodeJS.ProcessEnv, isTTY = false) => ({ env, stderr: { write: () => {}, isTTY } });

  it("tty and gitlab colour it, plain does not; auto under GITLAB_CI or on a terminal; NO_COLOR always wins", () => {
    expect(jobLogColor(at({}), "tty")).toBe(true);
    expect(jobLogColor(at({}), "gitlab")).toBe(true);
    expect(jobLogColor(at({ GITLAB_CI: "true" }, true), "plain")).toBe(false);
    expect(jobLogColor(at({}), "auto")).toBe(false);
    expect(jobLogColor(at({}, true), undefined)).toBe(true);
    expect(jobLogColor(at({ GITLAB_CI: "true", CI: "true" }), "auto")).toBe(true);
    expect(jobLogColor(at({ NO_COLOR: "1", GITLAB_CI: "true" }, true), "gitlab")).toBe(false);
  });

  it("an unknown mode is a usage error naming the choices", async () => {
    const r = await runInProcess(["smoke", "--progress", "fancy"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Allowed choices are auto, tty, plain, gitlab");
  });
});
