/**
 * GitLab's predefined CI_* variables, as far as a local smoke run can give them (the audit
 * against GitLab's list, and what is deliberately left unset, is in docs/smoke.md).
 */
import { BUILDS_DIR } from "./project.js";
import type { GitHead } from "./git-head.js";
import type { SmokeJob } from "../job/parse.js";
import type { VariableMap } from "../job/variables.js";

/** GitLab's slug: lowercase, everything but a-z and 0-9 → "-", no leading/trailing "-", 63 bytes. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+/, "").slice(0, 63).replace(/-+$/, "");
}

/** The commit variables of a branch (or detached) pipeline run by hand: no previous commit. */
function commitVariables(head: GitHead | undefined): VariableMap {
  if (!head) return {};
  const ref = head.branch ?? head.sha;
  return {
    CI_COMMIT_SHA: head.sha,
    CI_COMMIT_SHORT_SHA: head.sha.slice(0, 8),
    CI_COMMIT_BEFORE_SHA: "0".repeat(40),
    CI_COMMIT_REF_NAME: ref,
    CI_COMMIT_REF_SLUG: slug(ref),
    CI_COMMIT_REF_PROTECTED: "false",
    ...(head.branch !== undefined ? { CI_COMMIT_BRANCH: head.branch } : {}),
  };
}

export function predefinedVariables(o: {
  job: SmokeJob;
  image: string;
  projectPath: string;
  projectDir: string;
  timeoutSeconds: number;
  jobId: string;
  hostname: string;
  /** The project's checked-out commit, when it is a git work tree. */
  head?: GitHead;
  /** When the job started (CI_JOB_STARTED_AT, CI_PIPELINE_CREATED_AT). */
  startedAt?: Date;
  /** The job file, as CI_CONFIG_PATH gives it (relative to the project). */
  configPath?: string;
}): VariableMap {
  const [namespace, ...rest] = o.projectPath.split("/");
  const name = rest.pop() ?? "project";
  const ns = [namespace, ...rest].join("/");
  return {
    CI: "true",
    GITLAB_CI: "true",
    CI_SERVER: "yes",
    CI_JOB_ID: o.jobId,
    CI_JOB_NAME: o.job.name,
    CI_JOB_NAME_SLUG: slug(o.job.name),
    CI_JOB_STAGE: o.job.stage,
    CI_JOB_IMAGE: o.image,
    CI_JOB_TIMEOUT: String(o.timeoutSeconds),
    // "running" for the whole job; after_script is given success or failed instead.
    CI_JOB_STATUS: "running",
    // One job, not `parallel:`.
    CI_NODE_TOTAL: "1",
    CI_BUILDS_DIR: BUILDS_DIR,
    CI_PROJECT_DIR: o.projectDir,
    CI_PROJECT_PATH: o.projectPath,
    CI_PROJECT_NAMESPACE: ns,
    CI_PROJECT_NAME: name,
    CI_PROJECT_TITLE: name,
    CI_PROJECT_PATH_SLUG: slug(o.projectPath),
    CI_PROJECT_ROOT_NAMESPACE: namespace ?? "local",
    CI_CONCURRENT_PROJECT_ID: "0",
    CI_DISPOSABLE_ENVIRONMENT: "true",
    // One local pipeline per job: its ids are the job's.
    CI_PIPELINE_ID: o.jobId,
    CI_PIPELINE_IID: o.jobId,
    ...(o.startedAt ? { CI_JOB_STARTED_AT: isoSeconds(o.startedAt), CI_PIPELINE_CREATED_AT: isoSeconds(o.startedAt) } : {}),
    ...(o.configPath !== undefined ? { CI_CONFIG_PATH: o.configPath } : {}),
    ...commitVariables(o.head),
    CI_CONCURRENT_ID: "0",
    CI_RUNNER_DESCRIPTION: "runner-kit smoke",
    CI_RUNNER_EXECUTABLE_ARCH: `${process.platform}/${process.arch === "x64" ? "amd64" : process.arch}`,
    CI_PIPELINE_SOURCE: "push",
    CI_SERVER_NAME: "GitLab",
    HOSTNAME: o.hostname,
  };
}

/** ISO 8601 in UTC without fractions, as GitLab writes it: 2022-01-31T16:47:55Z. */
function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}
