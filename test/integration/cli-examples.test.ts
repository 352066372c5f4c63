import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { writeLock } from "../../src/lock/store.js";
import { BIN, runInProcess } from "../support/cli.js";
import { dockerAuthConfigFor } from "../support/registry.js";

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
/** Commands that need a daemon: build, smoke, and ci when it runs the pipeline (--run). */
const needsDaemon = (line: string, command: string) => NEEDS_DAEMON.has(command) || (command === "ci" && /\s--run\b/.test(line));
const ROOT = join(import.meta.dirname, "..", "..");

/**
 * The README's and docs/ pages' shell commands that do not run in a scaffold here, each with
 * why (and where it does run). Everything else in their sh blocks runs below as written.
 */
const NOT_HERE: Record<string, string> = {
  "git clone https://github.com/runner-kit/runner-kit.git && cd runner-kit": "needs the network; the checkout is this repository",
  "npm ci && npm run build && npm link": "quick-start.test.ts runs it into a temporary npm prefix",
  "npm ci && npm run build && npm pack": "package-consumer.test.ts packs the package and installs the tarball",
  "npm install -g ./runner-kit-0.1.0.tgz": "a global install changes the machine; package-consumer.test.ts installs the tarball into a scratch project",
  "npm ci && npm run build && npx runner-kit build --smoke": "the runner-kit image starts from node:20-bookworm, from Docker Hub, which is not reachable here",
  "npx runner-kit build runner-aws job-base --smoke --build-arg RUNNER_BASE_IMAGE=debian:bookworm": "runs in this repository, not a scaffold: main-job.test.ts",
  "npm test": "the test suite this test is part of",
  "runner-kit build --ssh default": "needs an SSH agent in SSH_AUTH_SOCK (without one it exits 2, as documented); build-ssh.test.ts runs it with a real ssh-agent",
  "docker run --privileged --rm tonistiigi/binfmt --install arm64": "installs emulators on a dind runner host from Docker Hub, with a privileged container; test/support/seed-arm64.sh sets up the same emulation here from Debian packages",
  "runner-kit build --locked": "needs the runner-kit.lock a real build of the scaffold writes (without one it exits 2, as documented); quick-start.test.ts and pipeline-run.test.ts run builds with --locked",
  "RUNNER_TOKEN=glrt-… sh runner/register/register.sh": "needs gitlab-runner and a GitLab instance; quick-start.test.ts runs it with a stand-in gitlab-runner",
  'docker run -d --name gitlab-runner --restart always -v "$PWD/runner/config.toml:/etc/gitlab-runner/config.toml:ro" -v /var/run/docker.sock:/var/run/docker.sock registry.example.com/platform/runner-aws:v17.3.0':
    "starts a runner service for good, from an image in the user's registry",
  'docker run --rm -e RUNNER_TOKEN -v /srv/gitlab-runner/config:/etc/gitlab-runner -v "$PWD/runner/register:/register:ro" --entrypoint sh registry.example.com/platform/runner-aws:v17.3.0 /register/register.sh':
    "registers with a GitLab instance, from an image in the user's registry",
};

/** A synopsis line ("runner-kit render [image…] [--team T]") shows a command's shape, it is not a command. */
const isSynopsis = (line: string) => /\[[^\]]*\]/.test(line.replace(/'[^']*'/g, ""));

/** The commands of every sh/bash/shell block of a Markdown page: comments dropped, continuation lines joined. */
export function markdownCommands(text: string): string[] {
  const commands: string[] = [];
  for (const block of text.matchAll(/^```(?:sh|bash|shell)\n([\s\S]*?)^```/gm)) {
    const joined = block[1]!.replace(/\\\n\s*/g, "");
    for (const raw of joined.split("\n")) {
      const line = raw.replace(/\s+#\s.*$/, "").trim();
      if (line !== "" && !line.startsWith("#")) commands.push(line);
    }
  }
  return commands;
}

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

describe("--help, README and docs/ examples run as written", () => {
  const dir = mkdtempSync(join(tmpdir(), "rk-examples-"));
  const bin = join(dir, "bin");
  const project = join(dir, "platform-images");
  let examples: Example[] = [];

  const sh = async (line: string, command: string, cwd: string) => {
    const r = await execa("sh", ["-c", line], {
      cwd,
      reject: false,
      env: { PATH: `${bin}:${process.env.PATH}`, NO_COLOR: "1", ...(needsDaemon(line, command) ? { DOCKER_HOST: NO_DAEMON } : {}) },
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
    // The build-secret examples read a file the user has beside the project (its content is never read before a build).
    writeFileSync(join(project, ".npmrc"), "//registry.npmjs.org/:_authToken=example\n");
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

  it("each example exits 0, or (build, smoke, ci --run) stops only at the missing daemon", async () => {
    const failures: string[] = [];
    for (const example of examples) {
      // Each example on its own copy: one example's writes never decide another's outcome.
      const cwd = mkdtempSync(join(dir, "example-"));
      if (example.command !== "init") cpSync(project, cwd, { recursive: true });
      const r = await sh(example.line, example.command, cwd);
      const reachedDaemon = needsDaemon(example.line, example.command) && /no Docker daemon/i.test(r.stderr);
      const reported = example.command === "doctor" && r.code === 1 && /doctor found \d+ problems?/.test(r.stderr);
      if (r.code !== 0 && !reachedDaemon && !reported) failures.push(`${example.line} → exit ${r.code}: ${r.stderr.trim()}`);
    }
    expect(failures).toEqual([]);
  });

  it("every shell command of the README and docs/ runs as written in a scaffold using the test registry, but the few listed with why", async () => {
    const registry = inject("registry");
    const pages = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => join("docs", f))];
    const commands = pages.flatMap((page) => markdownCommands(readFileSync(join(ROOT, page), "utf8")).map((line) => ({ page, line })));
    const listed = new Set(commands.map((c) => c.line));
    // The list names only commands the pages still show.
    expect(Object.keys(NOT_HERE).filter((line) => !listed.has(line))).toEqual([]);
    const runnable = commands.filter((c) => NOT_HERE[c.line] === undefined && !isSynopsis(c.line));
    expect(runnable.length).toBeGreaterThan(15);
    const home = mkdtempSync(join(dir, "home-"));
    const failures: string[] = [];
    for (const { page, line } of runnable) {
      const command = /\brunner-kit ([a-z]+)/.exec(line)?.[1] ?? "";
      const cwd = mkdtempSync(join(dir, "doc-"));
      if (command !== "init") {
        cpSync(project, cwd, { recursive: true });
        const file = join(cwd, "runner-kit.yaml");
        writeFileSync(file, readFileSync(file, "utf8").replaceAll("registry.example.com/platform", `${registry.host}/rk-doc-examples`));
      }
      const r = await execa("sh", ["-c", line], {
        cwd,
        reject: false,
        env: {
          PATH: `${bin}:${process.env.PATH}`,
          HOME: home,
          NO_COLOR: "1",
          DOCKER_AUTH_CONFIG: dockerAuthConfigFor(registry),
          REGISTRY_PASSWORD: registry.password,
          ...(needsDaemon(line, command) ? { DOCKER_HOST: NO_DAEMON } : {}),
        },
        extendEnv: false,
        timeout: 120_000,
      });
      const reachedDaemon = needsDaemon(line, command) && /no Docker daemon/i.test(r.stderr);
      const reported = command === "doctor" && r.exitCode === 1 && /doctor found \d+ problems?/.test(r.stderr);
      if (r.exitCode !== 0 && !reachedDaemon && !reported) failures.push(`${page}: ${line} → exit ${r.exitCode}: ${r.stderr.trim()}`);
    }
    expect(failures).toEqual([]);
  });

  it("an example naming a variant the scaffold lacks is caught before the daemon", async () => {
    const r = await sh("runner-kit build runner-aws --team data --push --smoke", "build", project);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('team "data" has no variant of "runner-aws"');
  });
});
