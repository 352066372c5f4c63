import { writeProjectFile } from "../support/project-files.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RunnerKitError } from "../../src/common/errors.js";
import { changedFilesSince, type GitRunner } from "../../src/pipeline/changed.js";
import { variantDependencies } from "../../src/project/dependencies.js";
import { dockerfileBases } from "../../src/dockerfile/from.js";
import { variantsAffectedBy } from "../../src/pipeline/select.js";
import { twoTeamPlan } from "../support/two-team-plan.js";

/** --changed-since against a real git history in a temporary repository. */
describe("changed since a git ref", () => {
  let repo: string;
  let git: GitRunner;
  const write = (path: string, text: string) => writeProjectFile(repo, path, text);

  beforeEach(async () => {
    repo = mkdtempSync(join(tmpdir(), "rk-git-"));
    git = async (args) => (await execa("git", args, { cwd: repo, env: { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" } })).stdout;
    await git(["init", "-q", "-b", "main"]);
    write("runner-kit.yaml", "registry: registry.example.com/platform\n");
    write("templates/job-base/Dockerfile.hbs", "FROM debian:bookworm\n");
    write("teams/data/job-base/packages.hbs", "jq\n");
    write("images/job-base/Dockerfile", "FROM debian:bookworm\n");
    write("README.md", "hi\n");
    await git(["add", "-A"]);
    await git(["commit", "-qm", "base"]);
    await git(["checkout", "-qb", "feature"]);
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  function affected(changed: Set<string>): string[] {
    const { plan, dockerfiles } = twoTeamPlan(repo);
    const deps = variantDependencies(plan.variants, new Map(plan.variants.map((v) => [v.id, dockerfileBases(dockerfiles.get(v.id)!).externalImages])));
    return variantsAffectedBy(plan, deps, changed).map((v) => v.id).sort();
  }

  it("sees committed, uncommitted and untracked changes since the ref", async () => {
    write("teams/data/job-base/packages.hbs", "jq\npostgresql-client\n");
    await git(["commit", "-qam", "data wants psql"]);
    write("README.md", "changed\n");
    write("images/job-base/extra.txt", "new\n");
    const changed = await changedFilesSince(git, "main");
    expect([...changed].sort()).toEqual(["README.md", "images/job-base/extra.txt", "teams/data/job-base/packages.hbs"]);
    expect(affected(changed)).toEqual(["data/job-base", "data/runner-aws", "job-base", "runner-aws"]);
  });

  it("leaves out every image when only unrelated files changed", async () => {
    write("README.md", "docs only\n");
    await git(["commit", "-qam", "docs"]);
    const changed = await changedFilesSince(git, "main");
    expect([...changed]).toEqual(["README.md"]);
    expect(affected(changed)).toEqual([]);
  });

  it("ignores what changed on the target branch after this branch left it", async () => {
    await git(["checkout", "-q", "main"]);
    write("templates/job-base/Dockerfile.hbs", "FROM debian:trixie\n");
    await git(["commit", "-qam", "main moved on"]);
    await git(["checkout", "-q", "feature"]);
    expect([...(await changedFilesSince(git, "main"))]).toEqual([]);
  });

  it("names a ref that does not exist", async () => {
    const error = await changedFilesSince(git, "origin/nope").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnerKitError);
    expect((error as RunnerKitError).toParagraph()).toMatch(/^--changed-since origin\/nope: no such commit in this repository\. Fetch it first/);
  });
});
