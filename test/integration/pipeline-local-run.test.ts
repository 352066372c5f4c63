/**
 * `runner-kit ci --run FILE`: small busybox pipelines run on the real engine, each job
 * through smoke's executor — needs: order, an artifact and a dotenv variable passed from
 * one job to the next, a failing job stopping its dependants, allow_failure, two
 * independent jobs running at once, Ctrl-C — and nothing left behind.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { ROLE_LABEL } from "../../src/smoke/executor/resources.js";
import { RUN_LABEL } from "../../src/engine/labels.js";
import { BIN, runInProcess } from "../support/cli.js";
import { startEngineRecorder } from "../support/engine-recorder.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { packDirectory } from "../support/tar.js";
import { uniqueRunId } from "../fixtures/smoke/helpers.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function pipelineDir(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), "rk-ci-run-"));
  dirs.push(dir);
  writeFileSync(join(dir, ".gitlab-ci.yml"), yaml);
  writeFileSync(join(dir, "input.txt"), "from the project\n");
  return dir;
}

const env = (runId: string, extra: NodeJS.ProcessEnv = {}) => ({ ...process.env, NO_COLOR: "1", RUNNER_KIT_RUN_ID: runId, ...extra });

describe("ci --run", () => {
  it("runs jobs in needs: order and hands artifacts, dotenv variables and job ids on", async () => {
    const dir = pipelineDir(`stages: [build, test]
image: busybox:latest
make:
  stage: build
  script:
    - mkdir -p out/deep && cp input.txt out/deep/copy.txt && echo "$CI_JOB_ID" > out/id.txt && echo scratch > out/x.tmp
    - echo "MADE_BY=$CI_JOB_NAME" > make.env
  artifacts:
    paths: [out/]
    exclude: ["out/*.tmp"]
    reports: { dotenv: make.env }
use:
  stage: test
  needs: [make]
  script:
    - cat out/deep/copy.txt
    - test ! -e out/x.tmp
    - test "$(cat out/id.txt)" != "$CI_JOB_ID"
    - echo "made by $MADE_BY in pipeline $CI_PIPELINE_ID, registry $CI_REGISTRY, password $CI_REGISTRY_PASSWORD"
`);
    const runId = uniqueRunId("ci-run");
    const r = await runInProcess(["ci", "--run", ".gitlab-ci.yml", "--junit", "report.xml", "--artifacts-dir", "artifacts"], {
      cwd: dir, env: env(runId, { CI_REGISTRY: "registry.test:5000", CI_REGISTRY_USER: "ci", CI_REGISTRY_PASSWORD: "hunter2-secret" }),
    });
    expect(r.code, r.stderr).toBe(0);
    const made = r.stderr.indexOf("[make] Job succeeded");
    expect(made).toBeGreaterThan(0);
    expect(r.stderr.indexOf("[use] Running with runner-kit smoke")).toBeGreaterThan(made);
    expect(r.stderr).toContain("[use] Downloading artifacts for make ...");
    expect(r.stderr).toContain("[use] from the project");
    expect(r.stderr).toMatch(/\[use\] made by make in pipeline \d+, registry registry\.test:5000, password \[redacted\]/);
    expect(r.stderr).not.toContain("hunter2-secret");
    expect(r.stdout).toMatch(/^make\s+build\s+passed\s+[\d.]+ s$/m);
    expect(r.stdout).toContain("2 job(s): 2 passed");
    const junit = readFileSync(join(dir, "report.xml"), "utf8");
    expect(junit).toContain('tests="2" failures="0"');
    expect(junit).toContain('<testcase name="use" classname="test"');
    expect(junit).not.toContain("hunter2-secret");
    expect(readFileSync(join(dir, "artifacts", "make", "out", "deep", "copy.txt"), "utf8")).toBe("from the project\n");
    expect(readFileSync(join(dir, "artifacts", "make", "make.env"), "utf8")).toBe("MADE_BY=make\n");
    expect(existsSync(join(dir, "artifacts", "make", "out", "x.tmp"))).toBe(false);
    await expectNoLeaks(runId);
  });

  it("a failed job skips its dependants and fails the run (exit 1); an allowed failure does not", async () => {
    const dir = pipelineDir(`image: busybox:latest
stages: [build, test, deploy]
broken:
  stage: build
  script: [echo breaking, exit 4]
flaky:
  stage: build
  allow_failure: true
  script: [exit 1]
after-broken:
  stage: test
  needs: [broken]
  script: [echo never runs]
after-flaky:
  stage: test
  needs: [flaky]
  script: [echo ran after flaky]
cleanup:
  stage: deploy
  when: always
  script: [echo cleaning]
`);
    const runId = uniqueRunId("ci-fail");
    const r = await runInProcess(["ci", "--run", ".gitlab-ci.yml", "--jobs", "2", "--junit", "report.xml"], { cwd: dir, env: env(runId) });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("runner-kit: .gitlab-ci.yml: the pipeline failed: broken failed. The job logs above show what went wrong.");
    expect(r.stdout).toMatch(/^broken\s+build\s+failed\s+[\d.]+ s\s+\(exit code 4\)$/m);
    expect(r.stdout).toMatch(/^flaky\s+build\s+failed \(allowed to fail\)/m);
    expect(r.stdout).toMatch(/^after-broken\s+test\s+skipped\s+-\s+\(broken failed\)$/m);
    expect(r.stdout).toMatch(/^after-flaky\s+test\s+passed/m);
    expect(r.stdout).toMatch(/^cleanup\s+deploy\s+passed/m);
    expect(r.stderr).not.toContain("never runs");
    expect(r.stderr).toContain("[after-flaky] ran after flaky");
    expect(readFileSync(join(dir, "report.xml"), "utf8")).toContain('<skipped message="broken failed"/>');
    await expectNoLeaks(runId);
  });

  it("runs two independent jobs at the same time with --jobs 2", async () => {
    // Each job waits for a file that the test puts into it only once both job containers
    // run at the same time: one at a time, neither would ever finish.
    const waitForGo = "i=0; until [ -f /tmp/go ] || [ $i -ge 600 ]; do sleep 0.2; i=$((i+1)); done; test -f /tmp/go";
    const dir = pipelineDir(`image: busybox:latest
left:
  script: ["${waitForGo}", echo left done]
right:
  script: ["${waitForGo}", echo right done]
`);
    const runId = uniqueRunId("ci-par");
    const running = runInProcess(["ci", "--run", ".gitlab-ci.yml", "--jobs", "2"], { cwd: dir, env: env(runId) });
    const d = await docker();
    let both: string[] = [];
    for (let i = 0; i < 600 && both.length < 2; i += 1) {
      const list = await d.listContainers({ filters: { label: [`${RUN_LABEL}=${runId}`, `${ROLE_LABEL}=build`], status: ["running"] } });
      both = list.map((c) => c.Id);
      if (both.length < 2) await new Promise((r) => setTimeout(r, 200));
    }
    expect(both).toHaveLength(2);
    const go = mkdtempSync(join(tmpdir(), "rk-ci-go-"));
    dirs.push(go);
    writeFileSync(join(go, "go"), "");
    for (const id of both) await d.getContainer(id).putArchive(packDirectory(go, { entries: ["go"] }), { path: "/tmp" });
    const r = await running;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("[left] left done");
    expect(r.stderr).toContain("[right] right done");
    await expectNoLeaks(runId);
  });

  it("frees a job's slot once its result and artifacts are known, and removes its containers before the run ends", async () => {
    // Every container removal is held back by a relay in front of the daemon: with --jobs 1,
    // b can only run while a1's and a2's containers still exist if their slots were freed
    // before the removals ended. b also receives both jobs' artifacts (a2's shared.txt wins).
    const dir = pipelineDir(`stages: [one, two]
image: busybox:latest
a1:
  stage: one
  script: [mkdir -p out, echo a1 > out/a1.txt, echo a1 > shared.txt, echo "<testsuites/>" > a1.xml]
  artifacts: { paths: [out/, shared.txt, missing/], reports: { junit: a1.xml } }
a2:
  stage: one
  script: [mkdir -p out, echo a2 > out/a2.txt, echo a2 > shared.txt]
  artifacts: { paths: [out/, shared.txt] }
b:
  stage: two
  needs: [a1, a2]
  script: [cat out/a1.txt out/a2.txt, test "$(cat shared.txt)" = a2, test ! -e a1.xml]
`);
    const runId = uniqueRunId("ci-slot");
    const relay = await startEngineRecorder(undefined, { hold: /^DELETE [^ ]*\/containers\// });
    try {
      const child = execa("node", [BIN, "ci", "--run", ".gitlab-ci.yml", "--jobs", "1"], { cwd: dir, env: env(runId, { DOCKER_HOST: relay.host }), reject: false, timeout: 180_000 });
      let stderr = "";
      await new Promise<void>((resolve, reject) => {
        child.stderr?.on("data", (chunk: Buffer) => {
          stderr += chunk.toString("utf8");
          if (stderr.includes("[b] Job succeeded")) resolve();
        });
        void child.then(() => reject(new Error(`the run ended before b succeeded:\n${stderr}`)));
      });
      expect(relay.held()).toBeGreaterThanOrEqual(2);
      expect(stderr).toContain("[a1] Uploading artifacts... 2 file(s)");
      expect(stderr).toContain("[a1] WARNING: missing/: no matching files");
      expect(stderr).toContain("[b] Downloading artifacts for a1 ...");
      expect(stderr).toContain("[b] Downloading artifacts for a2 ...");
      relay.release();
      const result = await child;
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toContain("3 job(s): 3 passed");
      await expectNoLeaks(runId);
    } finally {
      relay.release();
      await relay.close();
    }
  });

  it("a trigger runs the child pipeline an earlier job made (include: artifact), and takes its result with strategy: depend", async () => {
    const parent = (child: string) => `stages: [generate, build]
image: busybox:latest
generate:
  stage: generate
  script: [cp ${child} child-pipeline.yml]
  artifacts: { paths: [child-pipeline.yml] }
build-images:
  stage: build
  needs: [generate]
  trigger:
    include:
      - artifact: child-pipeline.yml
        job: generate
    strategy: depend
`;
    const child = (second: string) => `image: busybox:latest
first:
  script: [mkdir -p c, echo handed on in the child > c/f.txt]
  artifacts: { paths: [c/] }
second:
  needs: [first]
  script: ["${second}"]
`;
    const dir = pipelineDir(parent("good.yml"));
    writeFileSync(join(dir, "good.yml"), child("cat c/f.txt"));
    writeFileSync(join(dir, "bad.yml"), child("exit 5"));
    const runId = uniqueRunId("ci-child");
    const r = await runInProcess(["ci", "--run", ".gitlab-ci.yml", "--artifacts-dir", "artifacts"], { cwd: dir, env: env(runId) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("runner-kit: job build-images starts the child pipeline generate: child-pipeline.yml: 2 job(s)");
    expect(r.stderr).toContain("[build-images > second] handed on in the child");
    expect(r.stdout).toMatch(/^build-images\s+build\s+passed\s/m);
    expect(r.stdout).toMatch(/^build-images > second\s+test\s+passed\s/m);
    expect(r.stdout).toContain("4 job(s): 4 passed");
    expect(readFileSync(join(dir, "artifacts", "build-images", "first", "c", "f.txt"), "utf8")).toBe("handed on in the child\n");

    writeFileSync(join(dir, ".gitlab-ci.yml"), parent("bad.yml"));
    const failed = await runInProcess(["ci", "--run", ".gitlab-ci.yml"], { cwd: dir, env: env(runId) });
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stdout).toMatch(/^build-images\s+build\s+failed\s+[\d.]+ s\s+\(the child pipeline failed\)$/m);
    expect(failed.stdout).toMatch(/^build-images > second\s+test\s+failed\s+[\d.]+ s\s+\(exit code 5\)$/m);
    await expectNoLeaks(runId);
  });

  it("passes the runner config and the CI/CD variables to every job", async () => {
    const dir = pipelineDir(`variables: { GREETING: from-the-file, KEPT: file-only }
no-image:
  script: ['echo "$GREETING $KEPT"', 'test -x /bin/busybox']
`);
    writeFileSync(join(dir, "config.toml"), '[[runners]]\n  name = "local"\n  executor = "docker"\n  [runners.docker]\n    image = "busybox:latest"\n');
    const runId = uniqueRunId("ci-cfg");
    const r = await runInProcess(["ci", "--run", ".gitlab-ci.yml", "--runner-config", "config.toml", "--variable", "GREETING=from-the-cli"], { cwd: dir, env: env(runId) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("[no-image] Using Docker executor with image busybox:latest ...");
    expect(r.stderr).toContain("[no-image] from-the-cli file-only");
    await expectNoLeaks(runId);
  });

  it("refuses a bad pipeline before running anything (exit 2, file:line:column)", async () => {
    const dir = pipelineDir("image: busybox:latest\nbuild:\n  script: [echo hi]\ntest:\n  needs: [biuld]\n  script: [echo hi]\n");
    const runId = uniqueRunId("ci-bad");
    const r = await runInProcess(["ci", "--run", ".gitlab-ci.yml"], { cwd: dir, env: env(runId) });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('runner-kit: .gitlab-ci.yml:5:11: job "test" needs "biuld", which is not a job of this pipeline (did you mean "build"?). Name a job of this file, or mark the need optional: true.\n');
    expect(r.stdout).toBe("");
    await expectNoLeaks(runId);
  });

  it("Ctrl-C stops the running jobs, removes every container and network, writes no report and exits 130", async () => {
    const dir = pipelineDir(`image: busybox:latest
one:
  script: [sleep 600]
two:
  script: [sleep 600]
after:
  stage: deploy
  script: [echo never]
`);
    const runId = uniqueRunId("ci-int");
    const child = execa("node", [BIN, "ci", "--run", ".gitlab-ci.yml", "--jobs", "2", "--junit", "report.xml"], { cwd: dir, env: env(runId), reject: false, timeout: 180_000 });
    let stderr = "";
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
        if (stderr.includes("[one] $ sleep 600\n") && stderr.includes("[two] $ sleep 600\n")) resolve();
      });
      void child.then(() => reject(new Error(`the run ended before its jobs started:\n${stderr}`)));
    });
    child.kill("SIGINT");
    const result = await child;
    expect(result.exitCode, result.stderr).toBe(130);
    expect(result.stderr).toContain("runner-kit: interrupted; resources created by this run were removed.");
    expect(result.stderr).not.toContain("[after]");
    expect(existsSync(join(dir, "report.xml"))).toBe(false);
    await expectNoLeaks(runId);
  });
});
