import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runInProcess } from "../support/cli.js";
import { thrownBy } from "../fixtures/runner/project.js";
import { SecretSet } from "../../src/common/secrets.js";
import { cleanPattern, fetchGroups, patternBase, projectRelative, underPattern } from "../../src/pipeline/run/artifact-paths.js";
import { parseDotenv } from "../../src/pipeline/run/dotenv.js";
import { decide, pipelineGraph, statusAfterRun, type JobStatus } from "../../src/pipeline/run/graph.js";
import { readPipeline } from "../../src/pipeline/run/model.js";
import { countLine, pipelineJunit, summaryTable } from "../../src/pipeline/run/report.js";
import { runGraph } from "../../src/pipeline/run/schedule.js";
import { cicdVariables, jobVariables, pipelinePredefined, registerSecrets } from "../../src/pipeline/run/variables.js";

const thrown = thrownBy;

const PIPELINE = `stages: [build, test, deploy]
a:
  stage: build
  script: [echo a]
  artifacts:
    paths: [out/]
    exclude: ["out/*.tmp"]
    reports: { dotenv: a.env, junit: report.xml }
b:
  stage: test
  needs: [a]
  script: [echo b]
c:
  stage: test
  needs: []
  allow_failure: { exit_codes: [3] }
  script: [echo c]
d:
  stage: deploy
  script: [echo d]
e:
  stage: deploy
  when: on_failure
  script: [echo e]
f:
  stage: deploy
  when: never
  script: [echo f]
`;

describe("pipeline model", () => {
  it("reads stages, needs, when, allow_failure and artifacts", () => {
    const m = readPipeline(PIPELINE, "ci.yml");
    expect(m.stages).toEqual([".pre", "build", "test", "deploy", ".post"]);
    const [a, b, c] = m.jobs;
    expect(a!.artifacts).toEqual({ paths: ["out/"], exclude: ["out/*.tmp"], when: "on_success", junit: ["report.xml"], dotenv: ["a.env"] });
    expect(b!.needs?.map((n) => [n.job, n.artifacts, n.optional, n.at.line])).toEqual([["a", true, false, 11]]);
    expect(c!.needs).toEqual([]);
    expect(c!.allowFailure).toEqual([3]);
    expect(m.jobs.find((j) => j.name === "f")!.when).toBe("never");
  });

  it("a manual job may fail unless it says otherwise", () => {
    const m = readPipeline("m:\n  when: manual\n  script: [x]\n", "ci.yml");
    expect(m.jobs[0]!.allowFailure).toBe(true);
  });

  it("reads the child pipeline a trigger starts: a local file, an artifact, or why it cannot run here", () => {
    const m = readPipeline(
      [
        "local:\n  trigger: { include: child.yml }",
        "artifact:\n  trigger:\n    include:\n      - artifact: child-pipeline.yml\n        job: generate\n    strategy: depend",
        "other:\n  trigger: group/project",
        "two:\n  trigger: { include: [a.yml, b.yml] }",
        "",
      ].join("\n"),
      "ci.yml",
    );
    expect(m.jobs.map((j) => j.trigger)).toEqual([
      { depend: false, file: { local: "child.yml" } },
      { depend: true, file: { artifact: "child-pipeline.yml", job: "generate" } },
      { depend: false, unsupported: "it starts a pipeline of another project" },
      { depend: false, unsupported: "only a trigger with one include: runs locally" },
    ]);
    const graph = pipelineGraph(m);
    expect(decide(graph.jobs[3]!, [], new Map())).toEqual({ run: false, status: "skipped", reason: "trigger: not run locally: only a trigger with one include: runs locally" });
    expect(decide(graph.jobs[0]!, [], new Map())).toEqual({ run: true });
  });

  it("refuses an unknown when: at its position", () => {
    const e = thrown(() => readPipeline("a:\n  when: later\n  script: [x]\n", "ci.yml"));
    expect(e.toParagraph()).toBe('ci.yml:2:9: jobs:a when is "later". Use one of on_success, on_failure, always, manual, never.');
  });
});

describe("pipeline graph", () => {
  const graph = pipelineGraph(readPipeline(PIPELINE, "ci.yml"));

  it("leaves when: never out and orders jobs by stage", () => {
    expect(graph.jobs.map((j) => j.name)).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("waits for needs, else every earlier stage; artifacts follow the same edges", () => {
    expect(graph.upstream.get("b")).toEqual(["a"]);
    expect(graph.upstream.get("c")).toEqual([]);
    expect(graph.upstream.get("d")).toEqual(["a", "b", "c"]);
    expect(graph.artifactsFrom.get("d")).toEqual(["a", "b", "c"]);
  });

  it("names an unknown needs: target at file:line:column with the nearest job", () => {
    const e = thrown(() => pipelineGraph(readPipeline("build:\n  script: [x]\ntest:\n  needs: [biuld]\n  script: [x]\n", "ci.yml")));
    expect(e.exitCode).toBe(2);
    expect(e.toParagraph()).toContain('ci.yml:4:11: job "test" needs "biuld", which is not a job of this pipeline');
    expect(e.toParagraph()).toContain('"build"');
  });

  it("leaves out an optional need of a missing job", () => {
    const g = pipelineGraph(readPipeline("a:\n  needs: [{ job: gone, optional: true }]\n  script: [x]\n", "ci.yml"));
    expect(g.upstream.get("a")).toEqual([]);
  });

  it("names a cycle of needs with its position", () => {
    const e = thrown(() => pipelineGraph(readPipeline("a:\n  needs: [b]\n  script: [x]\nb:\n  needs: [a]\n  script: [x]\n", "ci.yml")));
    expect(e.exitCode).toBe(2);
    expect(e.toParagraph()).toMatch(/^ci\.yml:2:11: needs: form a cycle: a → b → a/);
  });

  it("refuses a need of a later stage", () => {
    const e = thrown(() => pipelineGraph(readPipeline("stages: [one, two]\na:\n  stage: one\n  needs: [b]\n  script: [x]\nb:\n  stage: two\n  script: [x]\n", "ci.yml")));
    expect(e.message).toBe('job "a" needs "b", which runs in a later stage (two)');
  });
});

describe("when a job runs", () => {
  const m = readPipeline(PIPELINE, "ci.yml");
  const job = (name: string) => m.jobs.find((j) => j.name === name)!;
  const status = (entries: Record<string, JobStatus>) => new Map(Object.entries(entries));

  it("waits until everything upstream ended", () => {
    expect(decide(job("d"), ["a", "b", "c"], status({ a: "passed" }))).toBe("wait");
  });

  it("runs on success, counting allowed failures and manual jobs as no failure", () => {
    expect(decide(job("d"), ["a", "b", "c"], status({ a: "passed", b: "passed", c: "allowed-failure" }))).toEqual({ run: true });
    expect(decide(job("d"), ["a"], status({ a: "manual" }))).toEqual({ run: true });
  });

  it("skips on_success jobs after a failure and runs on_failure ones", () => {
    const after = status({ a: "passed", b: "failed", c: "passed" });
    expect(decide(job("d"), ["a", "b", "c"], after)).toEqual({ run: false, status: "skipped", reason: "b failed" });
    expect(decide(job("e"), ["a", "b", "c"], after)).toEqual({ run: true });
    expect(decide(job("e"), ["a"], status({ a: "passed" }))).toMatchObject({ run: false, status: "skipped" });
  });

  it("skips a job whose need was skipped or is manual", () => {
    expect(decide(job("b"), ["a"], status({ a: "skipped" }))).toEqual({ run: false, status: "skipped", reason: "needs a, which was skipped" });
    expect(decide(job("b"), ["a"], status({ a: "manual" }))).toMatchObject({ run: false, status: "skipped" });
  });

  it("allow_failure: exit_codes allows only those codes", () => {
    expect(statusAfterRun(job("c"), { passed: false, exitCode: 3 })).toBe("allowed-failure");
    expect(statusAfterRun(job("c"), { passed: false, exitCode: 4 })).toBe("failed");
    expect(statusAfterRun(job("a"), { passed: true })).toBe("passed");
  });
});

describe("scheduling", () => {
  const graph = pipelineGraph(readPipeline(PIPELINE, "ci.yml"));

  it("runs independent jobs together up to the limit and settles the rest", async () => {
    let running = 0;
    let most = 0;
    const order: string[] = [];
    const notRun: string[] = [];
    const result = await runGraph(graph, 2, {
      run: async (job) => {
        running += 1;
        most = Math.max(most, running);
        order.push(job.name);
        await new Promise((r) => setImmediate(r));
        running -= 1;
        return job.name === "b" ? "failed" : "passed";
      },
      notRun: (job, s, reason) => notRun.push(`${job.name}:${s}:${reason}`),
    });
    expect(most).toBe(2);
    expect(order.slice(0, 2)).toEqual(["a", "c"]);
    expect(notRun).toEqual(["d:skipped:b failed"]);
    expect(result.get("e")).toBe("passed");
  });

  it("starts nothing after a run throws, and throws once the running jobs ended", async () => {
    const ran: string[] = [];
    await expect(
      runGraph(graph, 1, {
        run: async (job) => {
          ran.push(job.name);
          throw new Error("stop");
        },
        notRun: () => undefined,
      }),
    ).rejects.toThrow("stop");
    expect(ran).toEqual(["a"]);
  });
});

describe("artifact paths", () => {
  it("cleans patterns and refuses ones outside the project", () => {
    expect(cleanPattern("./out/")).toBe("out");
    expect(cleanPattern("../x")).toBeUndefined();
    expect(cleanPattern("/etc")).toBeUndefined();
  });

  it("fetches the folder above the first glob", () => {
    expect(patternBase("out/**/*.xml")).toBe("out");
    expect(patternBase("*.txt")).toBe(".");
    expect(patternBase("dist/app.js")).toBe("dist/app.js");
  });

  it("matches a folder's contents, *, ** and ?", () => {
    expect(underPattern("out/a/b.txt", "out")).toBe(true);
    expect(underPattern("outer/b.txt", "out")).toBe(false);
    expect(underPattern("a.txt", "*.txt")).toBe(true);
    expect(underPattern("d/a.txt", "*.txt")).toBe(false);
    expect(underPattern("out/x/y/r.xml", "out/**/*.xml")).toBe(true);
    expect(underPattern("out/r.xml", "out/**/*.xml")).toBe(true);
    expect(underPattern("v1.lock", "v?.lock")).toBe(true);
  });

  it("fetches each folder once, a folder inside another's with it", () => {
    expect([...fetchGroups(["locks/a.lock", "reports/a.xml"])]).toEqual([["locks/a.lock", ["locks/a.lock"]], ["reports/a.xml", ["reports/a.xml"]]]);
    expect([...fetchGroups(["out/sub/*.txt", "out", "out/**/*.xml", "outer/x"])]).toEqual([["out", ["out/sub/*.txt", "out", "out/**/*.xml"]], ["outer/x", ["outer/x"]]]);
    expect([...fetchGroups(["dist/app.js", "*.txt"])]).toEqual([[".", ["dist/app.js", "*.txt"]]]);
    expect(fetchGroups([]).size).toBe(0);
  });

  it("places archive entries relative to the project", () => {
    expect(projectRelative("locks/a.lock", "a.lock")).toBe("locks/a.lock");
    expect(projectRelative("out", "out/x/y")).toBe("out/x/y");
    expect(projectRelative(".", "project/x.txt")).toBe("x.txt");
    expect(projectRelative(".", "project")).toBe("");
  });
});

describe("dotenv reports", () => {
  it("reads KEY=VALUE lines, quotes removed, and reports the others", () => {
    const r = parseDotenv("# built\nA=1\n\nB=\"two words\"\nnot a variable\nC='x=y'\n", "a.env");
    expect(r.variables).toEqual({ A: "1", B: "two words", C: "x=y" });
    expect(r.warnings).toEqual(["a.env:5: not a KEY=VALUE line; it is left out"]);
  });
});

describe("job variables", () => {
  it("predefined < file < dotenv < CI/CD, registry ones from the environment", () => {
    const env = { CI_REGISTRY: "reg:5000", CI_REGISTRY_PASSWORD: "s3cret-pass", RUNNER_KIT_REGISTRY_USER: "u", OTHER: "x" };
    const predefined = pipelinePredefined({ pipelineId: 42, env });
    expect(predefined).toEqual({ CI_PIPELINE_ID: "42", CI_PIPELINE_IID: "1", CI_REGISTRY: "reg:5000", CI_REGISTRY_PASSWORD: "s3cret-pass" });
    expect(predefined.OTHER).toBeUndefined();
    const cicd = cicdVariables(["A=cli", "EMPTY="], env);
    expect(cicd).toEqual({ RUNNER_KIT_REGISTRY_USER: "u", A: "cli", EMPTY: "" });
    expect(jobVariables({ predefined: { A: "p", B: "p", C: "p" }, file: { A: "f", B: "f", C: "f" }, dotenv: { B: "d", C: "d" }, cicd: { C: "c" } })).toEqual({ A: "f", B: "d", C: "c" });
  });

  it("refuses a --variable that is not a variable name, and takes KEY alone from the environment", () => {
    expect(thrown(() => cicdVariables(["1X=y"], {})).exitCode).toBe(2);
    expect(thrown(() => cicdVariables(["NOVALUE"], {})).message).toBe("--variable NOVALUE takes its value from the environment, but NOVALUE is not set");
    expect(cicdVariables(["FROM_ENV"], { FROM_ENV: "v" })).toEqual({ FROM_ENV: "v" });
  });

  it("registers credential-like values as secrets", () => {
    const secrets = new SecretSet();
    registerSecrets({ CI_REGISTRY_PASSWORD: "pw-123", DEPLOY_TOKEN: "tok-456", PLAIN: "visible" }, secrets);
    expect(secrets.redact("pw-123 tok-456 visible")).toBe("[redacted] [redacted] visible");
  });
});

describe("pipeline report", () => {
  const records = [
    { name: "a", stage: "build", status: "passed" as const, durationMs: 1500, log: "ok\n" },
    { name: "b", stage: "test", status: "failed" as const, durationMs: 500, reason: "exit code 1", exitCode: 1, log: "x <y>\n" },
    { name: "c", stage: "test", status: "allowed-failure" as const, durationMs: 100, reason: "exit code 3", exitCode: 3 },
    { name: "d", stage: "deploy", status: "skipped" as const, reason: "b failed" },
  ];

  it("prints a table with reasons and a count line", () => {
    expect(summaryTable(records)).toEqual([
      "job  stage   result                    duration",
      "a    build   passed                    1.5 s",
      "b    test    failed                    0.5 s  (exit code 1)",
      "c    test    failed (allowed to fail)  0.1 s  (exit code 3)",
      "d    deploy  skipped                   -  (b failed)",
    ]);
    expect(countLine(records)).toBe("4 job(s): 1 passed, 1 failed, 1 failed (allowed to fail), 1 skipped");
  });

  it("writes one test case per job: failures, allowed failures and skipped ones", () => {
    const xml = pipelineJunit("ci.yml", records);
    expect(xml).toContain('<testsuites name="runner-kit pipeline" tests="4" failures="2" errors="0" skipped="1" time="2.100">');
    expect(xml).toContain('<failure message="exit code 1" type="exit code 1"/>');
    expect(xml).toContain('<failure message="exit code 3" type="allowed_failure"/>');
    expect(xml).toContain('<skipped message="b failed"/>');
    expect(xml).toContain("<system-out>x &lt;y&gt;\n</system-out>");
  });
});

describe("ci command line", () => {
  const dir = mkdtempSync(join(tmpdir(), "rk-ci-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses the run-only flags without --run", async () => {
    const r = await runInProcess(["ci", "--junit", "x.xml", "--jobs", "2", "--variable", "A=1"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("runner-kit: --jobs, --junit, --variable only go with --run. Add --run to run the pipeline here.\n");
  });

  it("names a pipeline file that does not exist, before any daemon is asked", async () => {
    const r = await runInProcess(["ci", "--run", "missing.yml"], { cwd: dir, env: { PATH: process.env.PATH, DOCKER_HOST: "unix:///nonexistent.sock" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("runner-kit: missing.yml: the pipeline file does not exist. Run `runner-kit ci --run` to generate and run the project's pipeline, or name a .gitlab-ci.yml.\n");
  });

  it("refuses a --jobs that is not a positive whole number", async () => {
    const r = await runInProcess(["ci", "--run", "missing.yml", "--jobs", "0"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--jobs 0 is not a positive whole number");
  });
});
