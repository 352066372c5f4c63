/**
 * Scenario tests, job side: entrypoints, images without a shell or grep, failing scripts
 * and after_script, timeouts, variables, reports, the built-in runner job. Real Docker,
 * the real CLI entry point, output lines and exit codes compared; no leaks after any run.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { expectNoLeaks } from "../support/leaks.js";
import { docker } from "../support/docker.js";
import { smokeImage } from "../../src/smoke/for-image.js";
import { SecretSet } from "../../src/common/secrets.js";
import { buildImage, expectLinesInOrder, project, removeImages, smokeIn, uniqueRunId } from "../fixtures/smoke/helpers.js";

const { job, http } = inject("fixtures");
const cleanups: (() => void)[] = [];
const images: Record<string, string> = {};

beforeAll(async () => {
  const [entry, noshell, nogrep, runner] = await Promise.all([
    buildImage("entry", `FROM ${job}\nCOPY app /usr/local/bin/app\nENTRYPOINT ["/usr/local/bin/app"]\n`, {
      app: { text: '#!/bin/sh\necho "app: unknown command: $1" >&2\nexit 2\n', mode: 0o755 },
    }),
    buildImage("noshell", "FROM busybox:latest AS src\nFROM scratch\nCOPY --from=src /bin/busybox /bin/busybox\n"),
    buildImage("nogrep", `FROM ${job}\nRUN rm -f /usr/bin/grep /bin/grep\n`),
    buildImage(
      "runner-aws",
      `FROM ${job}\nCOPY aws docker-credential-ecr-login /usr/local/bin/\nCOPY config.json /root/.docker/config.json\n`,
      {
        aws: { text: '#!/bin/sh\necho "aws-cli/2.9.19 Python/3.11.2 Linux/6.1 source/x86_64.debian.12"\n', mode: 0o755 },
        "docker-credential-ecr-login": { text: '#!/bin/sh\n[ "$1" = version ] && echo "0.6.0"\n', mode: 0o755 },
        "config.json": { text: '{"credHelpers":{"123456789012.dkr.ecr.eu-west-1.amazonaws.com":"ecr-login"}}\n' },
      },
    ),
  ]);
  Object.assign(images, { entry, noshell, nogrep, runner });
});

afterAll(async () => {
  cleanups.forEach((c) => c());
  await removeImages(Object.values(images));
});

async function run(name: string, ci: string, args: string[] = [], files: Record<string, string> = {}) {
  const p = project(ci, files);
  cleanups.push(p.cleanup);
  const runId = uniqueRunId(name);
  const result = await smokeIn(p.dir, runId, ["--job", ".gitlab-ci.yml", ...args]);
  await expectNoLeaks(runId);
  return { ...result, runId, dir: p.dir };
}

describe.concurrent("smoke: the job container", () => {
  it("keeps an image ENTRYPOINT that is not a shell, and says how to clear it", async () => {
    const r = await run("entry", `t:\n  image: ${images.entry}\n  script:\n    - echo never-runs\n`, ["--json"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("app: unknown command: sh");
    expect(r.stderr).not.toContain("never-runs");
    expect(r.stderr).toContain(
      `ERROR: Job failed: exit code 2; the ENTRYPOINT ["/usr/local/bin/app"] of ${images.entry} did not run the job script — make it exec its arguments, or set image: { name: ${images.entry}, entrypoint: [""] }`,
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ result: "failed", exitCode: 2 });
  });

  it('runs the script when entrypoint: [""] clears the ENTRYPOINT', async () => {
    const r = await run("entry-clear", `t:\n  image:\n    name: ${images.entry}\n    entrypoint: [""]\n  script:\n    - echo it-ran\n`);
    expect(r.code, r.stderr).toBe(0);
    expectLinesInOrder(r.stderr, ["$ echo it-ran", "it-ran", "Job succeeded"]);
  });

  it("fails clearly for an image without a shell", async () => {
    const r = await run("noshell", `t:\n  image: ${images.noshell}\n  script:\n    - echo hi\n`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^ERROR: Job failed: the image ${images.noshell} has no usable shell \\(.*\\); GitLab Runner's Docker executor needs sh or bash \\(and grep\\) in the job image$`, "m"));
    expect(r.stderr).toContain(`runner-kit: smoke job "t" failed with image ${images.noshell}: the image ${images.noshell} has no usable shell`);
  });

  it("fails clearly for an image without grep", async () => {
    const r = await run("nogrep", `t:\n  image: ${images.nogrep}\n  script:\n    - echo hi\n`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`ERROR: Job failed: the image ${images.nogrep} has no grep; GitLab Runner's job scripts need sh (or bash) and grep — install grep in the image`);
    expect(r.stderr).not.toContain("$ echo hi");
  });

  it("runs after_script with CI_JOB_STATUS=failed after a failing script, shows the services' logs; JUnit and JSON carry the job's exit code", async () => {
    const ci = `t:\n  image: ${job}\n  services:\n    - name: ${http}\n      alias: web\n      entrypoint: ["/bin/sh", "-c"]\n      command: ["echo web-service-log-line; exec httpd -f -p 8080 -h /www"]\n  before_script:\n    - echo before\n  script:\n    - echo in-script\n    - exit 7\n    - echo not-reached\n  after_script:\n    - echo "status=$CI_JOB_STATUS"\n    - exit 3\n`;
    const p = project(ci);
    cleanups.push(p.cleanup);
    const runId = uniqueRunId("fail");
    const r = await smokeIn(p.dir, runId, ["--job", ".gitlab-ci.yml", "--junit", "out/smoke.xml", "--json"]);
    await expectNoLeaks(runId);
    expect(r.code).toBe(1);
    expectLinesInOrder(r.stderr, [
      'Executing "step_script" stage of the job script',
      "$ echo before",
      "before",
      "$ echo in-script",
      "in-script",
      "$ exit 7",
      "Running after_script",
      'Executing "after_script" stage of the job script',
      '$ echo "status=$CI_JOB_STATUS"',
      "status=failed",
      "$ exit 3",
      "WARNING: after_script failed, but job will continue unaffected: exit code 3",
      "ERROR: Job failed: exit code 7",
      `--- service ${http} (runner-kit-test__http, runner-kit-test-http, web) log ---`,
      "web-service-log-line",
    ]);
    expect(r.stderr).not.toContain("not-reached");
    expect(JSON.parse(r.stdout)).toMatchObject({ job: "t", result: "failed", exitCode: 7, reason: "exit code 7" });
    const xml = readFileSync(join(p.dir, "out", "smoke.xml"), "utf8");
    expect(xml).toContain('<testsuites name="runner-kit smoke" tests="1" failures="1" errors="0"');
    expect(xml).toContain('<failure message="exit code 7" type="exit code 7"/>');
    expect(xml).toContain("status=failed");
  });

  it("stops a job at its timeout and still runs after_script", async () => {
    const r = await run("timeout", `t:\n  image: ${job}\n  script:\n    - echo started\n    - sleep 60\n  after_script:\n    - echo "after=$CI_JOB_STATUS"\n`, ["--timeout", "2s"]);
    expect(r.code).toBe(1);
    expectLinesInOrder(r.stderr, ["$ sleep 60", "Running after_script", "after=failed", "ERROR: Job failed: execution took longer than 2 seconds"]);
  });

  it("gives the script CI_JOB_STATUS=running and CI_NODE_TOTAL=1, after_script success, and the project GitLab's umask 0000 modes", async () => {
    const ci = [
      "t:",
      `  image: ${job}`,
      "  script:",
      '    - echo "status=$CI_JOB_STATUS nodes=$CI_NODE_TOTAL"',
      "    - stat -c '%a %n' . .gitlab-ci.yml run.sh sub sub/data.txt",
      "    - setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'echo hi > sub/by-nobody && echo nobody-wrote'",
      "  after_script:",
      '    - echo "after=$CI_JOB_STATUS"',
      "",
    ].join("\n");
    const p = project(ci, { "run.sh": "#!/bin/sh\necho run\n" });
    cleanups.push(p.cleanup);
    chmodSync(join(p.dir, "run.sh"), 0o755);
    mkdirSync(join(p.dir, "sub"), { mode: 0o755 });
    writeFileSync(join(p.dir, "sub", "data.txt"), "data\n", { mode: 0o644 });
    const runId = uniqueRunId("status-modes");
    const r = await smokeIn(p.dir, runId, ["--job", ".gitlab-ci.yml"]);
    await expectNoLeaks(runId);
    expect(r.code, r.stderr).toBe(0);
    expectLinesInOrder(r.stderr, [
      "status=running nodes=1",
      "777 .", "666 .gitlab-ci.yml", "777 run.sh", "777 sub", "666 sub/data.txt",
      "nobody-wrote",
      "after=success",
    ]);
  });

  it("runs the job as image:docker:user, who can write to the project", async () => {
    const ci = `t:\n  image:\n    name: ${job}\n    docker: { user: "65534:65534" }\n  script:\n    - echo "uid=$(id -u)"\n    - echo hi > by-user.txt && echo user-wrote\n`;
    const r = await run("docker-user", ci);
    expect(r.code, r.stderr).toBe(0);
    expectLinesInOrder(r.stderr, ["uid=65534", "user-wrote", "Job succeeded"]);
  });

  it("keeps the files' own modes under FF_DISABLE_UMASK_FOR_DOCKER_EXECUTOR", async () => {
    const ci = `variables:\n  FF_DISABLE_UMASK_FOR_DOCKER_EXECUTOR: "true"\nt:\n  image: ${job}\n  script:\n    - stat -c '%a %n' .gitlab-ci.yml\n`;
    const r = await run("umask-off", ci);
    expect(r.code, r.stderr).toBe(0);
    expectLinesInOrder(r.stderr, ["644 .gitlab-ci.yml"]);
  });

  it("expands global, job and predefined variables, in values and in the image name", async () => {
    const ci = [
      "variables:",
      `  JOB_IMAGE: ${job}`,
      "  BASE: base",
      "  OVERRIDE: global",
      "t:",
      "  image: $JOB_IMAGE",
      "  variables:",
      "    OVERRIDE: job",
      '    DERIVED: "${BASE}-$OVERRIDE-$CI_JOB_NAME"',
      '    PRICE: "$$5"',
      "    RAW: { value: '$BASE', expand: false }",
      "  script:",
      '    - echo "$DERIVED $PRICE $RAW"',
      '    - echo "$CI_PROJECT_DIR $(pwd) $CI_JOB_STAGE $GITLAB_CI"',
      "    - cat data.txt",
      "",
    ].join("\n");
    const r = await run("vars", ci, [], { "data.txt": "project-file\n" });
    expect(r.code, r.stderr).toBe(0);
    const dir = `/builds/local/${r.dir.split("/").pop()}`;
    expectLinesInOrder(r.stderr, ["base-job-t $5 $BASE", `${dir} ${dir} test true`, "$ cat data.txt", "project-file"]);
  });

  it("runs the built-in runner-aws smoke job against a runner image", async () => {
    const runId = uniqueRunId("builtin");
    const r = await smokeIn(process.cwd(), runId, ["--image", images.runner as string, "--project-dir", join(process.cwd(), "smoke")]);
    await expectNoLeaks(runId);
    expect(r.code, r.stderr).toBe(0);
    expectLinesInOrder(r.stderr, [
      "Starting service busybox:latest ...",
      "Service busybox:latest is ready on port 8080 after " + (r.stderr.match(/ready on port 8080 after (\S+ s)/)?.[1] ?? "?"),
      "$ aws --version",
      "aws-cli/2.9.19 Python/3.11.2 Linux/6.1 source/x86_64.debian.12",
      "$ docker-credential-ecr-login version",
      "0.6.0",
      "Job succeeded",
    ]);
    expect(r.stdout).toMatch(/^job: {6}runner-aws \(.*smoke\/runner-aws\.gitlab-ci\.yml\)$/m);
  });

  it("reports a bad job file with its position and exit 2, creating nothing", async () => {
    const r = await run("badyaml", "t:\n  script: echo\n  timeout: soon\n");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('runner-kit: .gitlab-ci.yml:3:12: timeout is not a duration. Write it like "1h 30m", "10 minutes" or "90s".');
    expect(existsSync(join(r.dir, "out"))).toBe(false);
  });

  it("smokeImage (what build --smoke calls) runs the built-in job against a built image and resolves with the result", async () => {
    const p = project("");
    cleanups.push(p.cleanup);
    const runId = uniqueRunId("lib");
    let log = "";
    const deps = { docker: await docker(), out: (t: string) => void (log += t), secrets: new SecretSet() };
    const passed = await smokeImage({ image: images.runner as string, projectDir: p.dir, runId, env: {} }, deps);
    expect(passed).toMatchObject({ result: "passed", exitCode: 0, job: "runner-aws", image: images.runner });
    expect(passed.services[0]).toMatchObject({ name: "busybox:latest", aliases: ["busybox", "web"], started: true, ready: true, port: 8080 });
    expect(log).toContain("$ docker-credential-ecr-login version\n0.6.0\n");
    // An image without the AWS CLI fails the job: a result, not a throw. (Exit code 1, not
    // 127: GitLab Runner's `: | eval '…'` wrapper under pipefail reports 1, and so do we.)
    const failed = await smokeImage({ image: job, projectDir: p.dir, runId, env: {} }, deps);
    expect(failed).toMatchObject({ result: "failed", exitCode: 1, reason: "exit code 1" });
    expect(log).toMatch(/aws: command not found/);
    await expectNoLeaks(runId);
  });
});
