import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeLock } from "../../src/lock/store.js";
import { BIN, runInProcess } from "../support/cli.js";

/**
 * Every `$ …runner-kit…` example of every command's --help runs as written, through `sh`,
 * with the built binary on PATH: `init` examples in an empty directory, the others in a
 * fresh copy of a `runner-kit init` scaffold (a git clone with an origin/main and one lock fragment
 * under locks/, as a user's project has in CI). Commands that need a Docker daemon run with
 * DOCKER_HOST where none answers: they must get as far as asking for the daemon, so a wrong
 * image, team, option or file in an example is still caught (exit 2 before any daemon).
 * `doctor` reports on this machine: in the scaffold its example registry cannot be reached, so
 * exit 1 with its report ("doctor found N problems") counts as the example working.
 */
const NO_DAEMON = "unix:///nonexistent/runner-kit-examples.sock";
const NEEDS_DAEMON = new Set(["build", "smoke"]);

interface Example {
  command: string;
  line: string;
}

/** The shell line of a help example (`$ …`), with the runner-kit command it shows. */
export function parseExample(text: string): Example | undefined {
  const m = /^\s*\$ (.*?runner-kit ([a-z]+).*)$/.exec(text);
  return m ? { line: m[1]!.trim(), command: m[2]! } : undefined;
}

async function helpExamples(): Promise<Example[]> {
  const top = await runInProcess(["--help"]);
  const commands = [...top.stdout.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!).filter((c) => c !== "help");
  const examples: Example[] = [];
  for (const command of commands) {
    const help = await runInProcess([command, "--help"]);
    for (const text of help.stdout.split("\n")) {
      const example = parseExample(text);
      if (example) examples.push(example);
    }
  }
  return examples;
}

describe("--help examples run as written", () => {
  const dir = mkdtempSync(join(tmpdir(), "rk-examples-"));
  const bin = join(dir, "bin");
  const project = join(dir, "platform-images");
  let examples: Example[] = [];

  const sh = async (line: string, command: string, cwd: string) => {
    const r = await execa("sh", ["-c", line], {
      cwd,
      reject: false,
      env: { PATH: `${bin}:${process.env.PATH}`, NO_COLOR: "1", ...(NEEDS_DAEMON.has(command) ? { DOCKER_HOST: NO_DAEMON } : {}) },
      extendEnv: true,
      timeout: 60_000,
    });
    return { code: r.exitCode ?? 1, stderr: r.stderr };
  };

  beforeAll(async () => {
    mkdirSync(bin);
    writeFileSync(join(bin, "runner-kit"), `#!/bin/sh\nexec node ${JSON.stringify(BIN)} "$@"\n`);
    chmodSync(join(bin, "runner-kit"), 0o755);
    expect((await runInProcess(["init", project])).code).toBe(0);
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: project, stdio: "pipe" });
    git("init", "-q", "-b", "main");
    git("add", ".");
    git("commit", "-qm", "scaffold");
    git("update-ref", "refs/remotes/origin/main", "HEAD");
    expect((await runInProcess(["render"], { cwd: project })).code).toBe(0);
    await writeLock(join(project, "locks", "job-base.lock"), {
      version: 1,
      variants: { "job-base": { repository: "registry.example.com/platform/job-base", tags: ["bookworm"], contentHash: "sha256:" + "0".repeat(64), baseImages: {} } },
    });
    examples = await helpExamples();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("finds examples of every command", () => {
    expect(examples.map((e) => e.command)).not.toEqual([]);
    for (const command of ["init", "render", "lint", "build", "config", "smoke", "ci", "lock", "doctor"]) {
      expect(examples.some((e) => e.command === command), command).toBe(true);
    }
  });

  it("each example exits 0, or (build, smoke) stops only at the missing daemon", async () => {
    const failures: string[] = [];
    for (const example of examples) {
      // Each example on its own copy: one example's writes never decide another's outcome.
      const cwd = mkdtempSync(join(dir, "example-"));
      if (example.command !== "init") cpSync(project, cwd, { recursive: true });
      const r = await sh(example.line, example.command, cwd);
      const reachedDaemon = NEEDS_DAEMON.has(example.command) && /no Docker daemon/i.test(r.stderr);
      const reported = example.command === "doctor" && r.code === 1 && /doctor found \d+ problems?/.test(r.stderr);
      if (r.code !== 0 && !reachedDaemon && !reported) failures.push(`${example.line} → exit ${r.code}: ${r.stderr.trim()}`);
    }
    expect(failures).toEqual([]);
  });

  it("an example naming a variant the scaffold lacks is caught before the daemon", async () => {
    const r = await sh("runner-kit build runner-aws --team data --push --smoke", "build", project);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('team "data" has no variant of "runner-aws"');
  });
});
