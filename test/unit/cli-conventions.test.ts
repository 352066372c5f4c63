import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collectBuildArg } from "../../src/cli/options.js";
import { abortSignalName, RunnerKitError, signalExitCode } from "../../src/common/errors.js";
import { assertLockCurrent } from "../../src/lock/store.js";
import { runInProcess } from "../support/cli.js";
import { thrownBy } from "../fixtures/runner/project.js";

describe("--build-arg NAME takes NAME's value from the environment, as docker does", () => {
  const parse = (env: NodeJS.ProcessEnv, ...values: string[]) => values.reduce<string[]>((all, v) => collectBuildArg(env)(v, all), []);

  it("keeps NAME=VALUE as given and fills NAME from the environment (an empty value is a value)", () => {
    expect(parse({ TOKEN: "from-env", EMPTY: "" }, "A=b=c", "TOKEN", "EMPTY")).toEqual(["A=b=c", "TOKEN=from-env", "EMPTY="]);
  });

  it("an unset NAME is a usage error (exit 2) naming it", () => {
    let error: unknown;
    try {
      parse({}, "GITLAB_RUNNER_VERSION");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RunnerKitError);
    expect((error as RunnerKitError).exitCode).toBe(2);
    expect((error as RunnerKitError).toParagraph()).toBe(
      "--build-arg GITLAB_RUNNER_VERSION takes its value from the environment, and GITLAB_RUNNER_VERSION is not set there. Export GITLAB_RUNNER_VERSION before running runner-kit, or give the value: --build-arg GITLAB_RUNNER_VERSION=VALUE.",
    );
  });

  it("through the CLI: exit 2, one paragraph, before any project file is read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rk-build-arg-"));
    try {
      const r = await runInProcess(["build", "--build-arg", "RK_SURELY_UNSET"], { cwd: dir, env: { NO_COLOR: "1" } });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        "runner-kit: --build-arg RK_SURELY_UNSET takes its value from the environment, and RK_SURELY_UNSET is not set there. Export RK_SURELY_UNSET before running runner-kit, or give the value: --build-arg RK_SURELY_UNSET=VALUE.\n",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("signals: SIGTERM exits 143, SIGINT 130", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("maps the signal the run was aborted with", () => {
    expect(signalExitCode("SIGTERM")).toBe(143);
    expect(signalExitCode("SIGINT")).toBe(130);
    const controller = new AbortController();
    controller.abort(new Error("SIGTERM"));
    expect(abortSignalName(controller.signal)).toBe("SIGTERM");
  });

  it("runCli answers 143 for a run that SIGTERM aborted and 130 for SIGINT", async () => {
    for (const [sig, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
      const dir = mkdtempSync(join(tmpdir(), "rk-signal-"));
      dirs.push(dir);
      const controller = new AbortController();
      controller.abort(new Error(sig));
      const r = await runInProcess(["init", "."], { cwd: dir, signal: controller.signal });
      expect(r.code, r.stderr).toBe(code);
    }
  });
});

describe("--locked on a stale lock", () => {
  it("is a configuration error (exit 2) saying why", () => {
    const entry = { repository: "r/app", tags: ["v1"], contentHash: `sha256:${"a".repeat(64)}` };
    expect(() => assertLockCurrent("runner-kit.lock", { version: 1, variants: {} }, { app: entry })).toThrow(RunnerKitError);
    const failed = (lock: Parameters<typeof assertLockCurrent>[1]) => {
      try {
        assertLockCurrent("runner-kit.lock", lock, { app: entry });
      } catch (e) {
        return e as RunnerKitError;
      }
    };
    const error = failed({ version: 1, variants: {} });
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toBe("runner-kit.lock is stale: app has no entry");
    expect(() => assertLockCurrent("runner-kit.lock", { version: 1, variants: { app: { ...entry, baseImages: {} } } }, { app: entry })).not.toThrow();
  });

  it("with no lock file at all says it does not exist, and how to write one", () => {
    const error = thrownBy(() => assertLockCurrent("/p/runner-kit.lock", undefined, { app: { repository: "r/app", tags: ["v1"], contentHash: "h" } }));
    expect(error.exitCode).toBe(2);
    expect(error.toParagraph()).toBe(
      "--locked needs a lock file, and /p/runner-kit.lock does not exist. Run `runner-kit build --push` without --locked to write it, and commit runner-kit.lock (the generated pipeline's publish job also writes one to commit).",
    );
  });

  it("`build --locked` in a fresh scaffold stops there (exit 2), before asking for a daemon", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rk-locked-"));
    try {
      expect((await runInProcess(["init", "."], { cwd: dir })).code).toBe(0);
      const r = await runInProcess(["build", "--locked"], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: "1", DOCKER_HOST: "unix:///nonexistent/rk.sock" } });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`runner-kit: --locked needs a lock file, and ${join(dir, "runner-kit.lock")} does not exist. Run \`runner-kit build --push\` without --locked to write it, and commit runner-kit.lock (the generated pipeline's publish job also writes one to commit).\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
