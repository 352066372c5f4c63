import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readGitHead } from "../../src/smoke/executor/git-head.js";
import { planJob } from "../../src/smoke/executor/plan.js";
import { slug } from "../../src/smoke/executor/predefined.js";
import { parseJob } from "../../src/smoke/job/parse.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@localhost", ...args], { cwd, encoding: "utf8" }).trim();

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), "rk-head-"));
  dirs.push(dir);
  git(dir, "init", "-q", "-b", "feature/Login-Page");
  writeFileSync(join(dir, "a.txt"), "a");
  git(dir, "add", "a.txt");
  git(dir, "commit", "-qm", "one");
  return dir;
}

describe("the project's commit, read from .git without a git process", () => {
  it("reads the branch and its commit, loose or packed, and a detached HEAD", async () => {
    const dir = repo();
    const sha = git(dir, "rev-parse", "HEAD");
    expect(await readGitHead(dir)).toEqual({ sha, branch: "feature/Login-Page" });
    git(dir, "pack-refs", "--all");
    expect(await readGitHead(dir)).toEqual({ sha, branch: "feature/Login-Page" });
    git(dir, "checkout", "-q", "--detach");
    expect(await readGitHead(dir)).toEqual({ sha });
  });

  it("follows a worktree's gitdir file to the common folder's refs", async () => {
    const dir = repo();
    const wt = join(mkdtempSync(join(tmpdir(), "rk-wt-")), "wt");
    dirs.push(wt);
    git(dir, "worktree", "add", "-q", "-b", "other", wt);
    expect(await readGitHead(wt)).toEqual({ sha: git(dir, "rev-parse", "HEAD"), branch: "other" });
  });

  it("is undefined outside a git work tree, and for a branch without commits", async () => {
    const plain = mkdtempSync(join(tmpdir(), "rk-plain-"));
    dirs.push(plain);
    expect(await readGitHead(plain)).toBeUndefined();
    mkdirSync(join(plain, "empty"));
    git(join(plain, "empty"), "init", "-q");
    expect(await readGitHead(join(plain, "empty"))).toBeUndefined();
  });
});

describe("predefined variables a local run can give", () => {
  const job = parseJob("My Job!: { image: x, script: [echo] }\n", { file: "ci.yml" });
  const head = { sha: "0123456789abcdef0123456789abcdef01234567", branch: "feature/Login-Page" };
  const vars = planJob({ job, projectPath: "Group/Sub/My.App", networkName: "n", jobId: "77", hostname: "h", head, startedAt: new Date("2026-01-31T16:47:55.123Z"), configPath: "ci/main.yml" }).variables;

  it("gives the commit of the project's checkout, as a branch pipeline run by hand", () => {
    expect(vars).toMatchObject({
      CI_COMMIT_SHA: head.sha, CI_COMMIT_SHORT_SHA: "01234567", CI_COMMIT_BEFORE_SHA: "0".repeat(40),
      CI_COMMIT_REF_NAME: "feature/Login-Page", CI_COMMIT_REF_SLUG: "feature-login-page", CI_COMMIT_BRANCH: "feature/Login-Page", CI_COMMIT_REF_PROTECTED: "false",
    });
  });

  it("gives the project's, pipeline's and job's own", () => {
    expect(vars).toMatchObject({
      CI_PROJECT_PATH_SLUG: "group-sub-my-app", CI_PROJECT_ROOT_NAMESPACE: "Group", CI_PROJECT_TITLE: "My.App", CI_PROJECT_NAMESPACE: "Group/Sub",
      CI_PIPELINE_ID: "77", CI_PIPELINE_IID: "77", CI_JOB_STARTED_AT: "2026-01-31T16:47:55Z", CI_PIPELINE_CREATED_AT: "2026-01-31T16:47:55Z",
      CI_CONFIG_PATH: "ci/main.yml", CI_CONCURRENT_PROJECT_ID: "0", CI_DISPOSABLE_ENVIRONMENT: "true", CI_JOB_NAME_SLUG: "my-job",
    });
  });

  it("slugs as GitLab does: 63 bytes, no dash at either end", () => {
    expect(slug("--A_b..C--")).toBe("a-b-c");
    expect(slug(`${"x".repeat(62)}/y`)).toBe("x".repeat(62));
  });
});
