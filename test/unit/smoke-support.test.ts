import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { isAbandoned } from "../../src/smoke/executor/reap.js";
import { junitReport, summaryLines } from "../../src/smoke/report.js";
import type { SmokeResult } from "../../src/smoke/run.js";
import { createServer } from "node:net";
import { detectShellCommand, stageScript, waitPreamble } from "../../src/smoke/executor/script.js";
import { parseWaitLine } from "../../src/smoke/executor/wait.js";
import { splitJobRef } from "../../src/smoke/job/load.js";
import { judgeStepScript } from "../../src/smoke/executor/outcome.js";

const labels = (pid: number, host = "h", instance = "i1") => ({
  "io.runner-kit.managed": "true",
  "io.runner-kit.run": "r1",
  "io.runner-kit.smoke.instance": instance,
  "io.runner-kit.pid": String(pid),
  "io.runner-kit.host": host,
  "io.runner-kit.component": "smoke",
});
const policy = { host: "h", keepInstances: ["current"], maxAgeMs: 1000, now: 10_000, isAlive: (pid: number) => pid === 1 };

describe("reaping policy", () => {
  it("reaps this host's resources whose process is gone", () => {
    expect(isAbandoned(labels(2), 9_900, policy)).toBe(true);
    expect(isAbandoned(labels(1), 9_900, policy)).toBe(false);
  });
  it("leaves other hosts' fresh resources alone but reaps anything past the age limit", () => {
    expect(isAbandoned(labels(2, "other"), 9_900, policy)).toBe(false);
    expect(isAbandoned(labels(1, "other"), 1_000, policy)).toBe(true);
  });
  it("never touches the current run or resources that are not smoke's", () => {
    expect(isAbandoned(labels(2, "h", "current"), 0, policy)).toBe(false);
    expect(isAbandoned({ ...labels(2), "io.runner-kit.component": "build" }, 0, policy)).toBe(false);
  });
});

function sh(script: string, shell = "sh"): { out: string; code: number } {
  try {
    return { out: execFileSync(shell, [], { input: script, encoding: "utf8" }), code: 0 };
  } catch (error) {
    const e = error as { stdout: string; status: number };
    return { out: e.stdout, code: e.status };
  }
}

describe("generated scripts (run by the local sh and bash)", () => {
  const base = { startMarker: "START", noGrepMarker: "NOGREP", workdir: "/", color: false };
  it("echoes each command and stops at the first failure", () => {
    for (const shell of ["sh", "bash"]) {
      const r = sh(stageScript({ ...base, commands: ["echo one", "false", "echo never"] }), shell);
      expect(r.out).toBe("START\n$ echo one\none\n$ false\n");
      expect(r.code).toBe(1);
    }
  });
  it("turns pipefail on where the shell has it (bash), as the runner's grep check does", () => {
    const r = sh(stageScript({ ...base, commands: ["false | true", "echo never"] }), "bash");
    expect(r.out).toBe("START\n$ false | true\n");
    expect(r.code).toBe(1);
  });
  it("keeps the rest of the script away from commands that read stdin", () => {
    const r = sh(stageScript({ ...base, commands: ["cat", "echo 'it''s' \"q\"", "exit 3"], exports: { CI_JOB_STATUS: "failed" } }));
    expect(r.out).toBe("START\n$ cat\n$ echo 'it''s' \"q\"\nits q\n$ exit 3\n");
    expect(r.code).toBe(3);
  });
  it("exports CI_JOB_STATUS for after_script", () => {
    expect(sh(stageScript({ ...base, commands: ['echo "$CI_JOB_STATUS"'], exports: { CI_JOB_STATUS: "failed" } })).out).toContain("\nfailed\n");
  });
  it("detects a shell like the runner", () => {
    const [cmd, flag, script] = detectShellCommand();
    expect([cmd, flag]).toEqual(["sh", "-c"]);
    expect(execFileSync("sh", ["-c", script as string], { input: "echo $0\n", encoding: "utf8" }).trim()).toMatch(/bash$/);
  });
  it("waits for a listening port and times out on a closed one (bash /dev/tcp), exiting under strict", async () => {
    const server = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const port = (server.address() as { port: number }).port;
    const closed = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => closed.once("listening", r));
    const closedPort = (closed.address() as { port: number }).port;
    closed.close();
    try {
      const targets = [{ index: 0, host: "127.0.0.1", ports: [closedPort, port] }, { index: 1, host: "127.0.0.1", ports: [closedPort] }];
      const loose = sh(stageScript({ ...base, commands: ["echo script"], preamble: waitPreamble(targets, "M", 1, false), beginMarker: "BEGIN" }), "bash");
      const lines = loose.out.split("\n");
      expect(lines).toContain(`M ready 0 ${port}`);
      expect(lines).toContain("M timeout 1");
      expect(loose.out).toMatch(/BEGIN\n\$ echo script\nscript\n$/);
      expect(parseWaitLine(`M ready 0 ${port}`, "M")).toEqual({ kind: "ready", index: 0, port });
      const strict = sh(stageScript({ ...base, commands: ["echo script"], preamble: waitPreamble(targets, "M", 1, true), beginMarker: "BEGIN" }), "bash");
      expect(strict.code).toBe(1);
      expect(strict.out).toContain("M strict\n");
      expect(strict.out).not.toContain("script\n");
    } finally {
      server.close();
    }
  });
});

const result: SmokeResult = {
  runId: "r", job: "check <1>", file: "ci.yml", image: "app:1", imageDigest: "app@sha256:abc",
  services: [{ name: "redis:7", aliases: ["redis"], started: true, ready: true, readyMs: 420, port: 6379 }],
  durationMs: 2500, result: "failed", exitCode: 2, reason: "exit code 2", warnings: [], log: "\u001b[32;1m$ false\u001b[0;m\nsecret-token here\n",
};

describe("reports", () => {
  it("summarises job, image digest, services with readiness, duration and result", () => {
    expect(summaryLines(result)).toEqual([
      "job:      check <1> (ci.yml)",
      "image:    app:1 (app@sha256:abc)",
      "services: redis:7 as redis: ready in 0.42 s on port 6379",
      "duration: 2.50 s",
      "result:   failed — exit code 2",
    ]);
    // A reason that does not name the exit code keeps it beside the result.
    expect(summaryLines({ ...result, reason: "execution took longer than 60 seconds" }).at(-1)).toBe("result:   failed (job exit code 2) — execution took longer than 60 seconds");
  });
  it("writes JUnit XML with the failure, escaped and redacted", () => {
    const xml = junitReport(result, (t) => t.replaceAll("secret-token", "[redacted]"));
    expect(xml).toContain('<testcase name="check &lt;1&gt;" classname="app:1" file="ci.yml" time="2.500">');
    expect(xml).toContain('<failure message="exit code 2" type="exit code 2"/>');
    expect(xml).toContain("<system-out>$ false\n[redacted] here\n</system-out>");
    expect(xml).not.toContain("\u001b");
  });
  it("splits --job FILE#JOB", () => {
    expect(splitJobRef("a/.gitlab-ci.yml#test")).toEqual({ file: "a/.gitlab-ci.yml", job: "test" });
    expect(splitJobRef("ci.yml")).toEqual({ file: "ci.yml" });
  });
});

describe("judging the step_script stage", () => {
  const ctx = { image: "app:1", timeoutSeconds: 60, strictStop: false, notReady: [], entrypoint: undefined, imageEntrypoint: undefined };
  const ran = (exitCode: number | undefined, extra: Partial<{ timedOut: boolean; sawStart: boolean }> = {}) => ({
    stage: { exitCode, timedOut: extra.timedOut ?? false, aborted: false },
    sawStart: extra.sawStart ?? true,
    sawNoGrep: false,
    sawNoShell: false,
  });
  it("passes on exit 0 and reports the job's own exit code otherwise", () => {
    expect(judgeStepScript(ran(0), ctx)).toEqual({ exitCode: 0, jobRan: true });
    expect(judgeStepScript(ran(7), ctx)).toEqual({ exitCode: 7, reason: "exit code 7", jobRan: true });
  });
  it("names the timeout like the runner", () => {
    expect(judgeStepScript(ran(undefined, { timedOut: true }), ctx).reason).toBe("execution took longer than 60 seconds");
  });
  it("fails a job whose ENTRYPOINT exited 0 without running the script", () => {
    const j = judgeStepScript(ran(0, { sawStart: false }), { ...ctx, imageEntrypoint: ["/bin/echo"] });
    expect(j.reason).toBe('the job script never ran: the entrypoint ["/bin/echo"] of app:1 exited 0 without starting the shell — make it exec its arguments, or set image: { name: app:1, entrypoint: [""] }');
  });
  it("recognises an image without a shell from the daemon's start error", () => {
    const j = judgeStepScript({ ...ran(0), stage: { noExecutable: 'OCI runtime create failed: exec: "sh": executable file not found in $PATH: unknown' } }, ctx);
    expect(j).toEqual({ reason: 'the image app:1 has no usable shell ("sh": executable file not found in $PATH); GitLab Runner\'s Docker executor needs sh or bash (and grep) in the job image', jobRan: false });
  });
});

describe("the stage exit marker (run by the local sh and bash)", () => {
  const script = (commands: string[]) => stageScript({ commands, startMarker: "START", noGrepMarker: "NOGREP", workdir: "/", color: false, exitMarker: "EXIT-M" });
  it("is the last line and carries the shell's own exit code", () => {
    for (const shell of ["sh", "bash"]) {
      expect(sh(script(["echo hi"]), shell)).toEqual({ out: "START\n$ echo hi\nhi\nEXIT-M 0\n", code: 0 });
      expect(sh(script(["false", "echo never"]), shell)).toEqual({ out: "START\n$ false\nEXIT-M 1\n", code: 1 });
      expect(sh(script(["exit 3"]), shell)).toEqual({ out: "START\n$ exit 3\nEXIT-M 3\n", code: 3 });
    }
  });
  it("is not touched by a trap the job's own script sets", () => {
    expect(sh(script(["trap 'echo own' EXIT", "echo body"]))).toEqual({ out: "START\n$ trap 'echo own' EXIT\n$ echo body\nbody\nown\nEXIT-M 0\n", code: 0 });
  });
});
