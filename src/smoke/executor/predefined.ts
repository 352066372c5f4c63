/** GitLab's predefined CI_* variables, as far as a local smoke run can give them. */
import { BUILDS_DIR } from "./project.js";
import type { SmokeJob } from "../job/parse.js";
import type { VariableMap } from "../job/variables.js";

export function predefinedVariables(o: {
  job: SmokeJob;
  image: string;
  projectPath: string;
  projectDir: string;
  timeoutSeconds: number;
  jobId: string;
  hostname: string;
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
    CI_JOB_NAME_SLUG: o.job.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 63),
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
    CI_CONCURRENT_ID: "0",
    CI_RUNNER_DESCRIPTION: "runner-kit smoke",
    CI_RUNNER_EXECUTABLE_ARCH: `${process.platform}/${process.arch === "x64" ? "amd64" : process.arch}`,
    CI_PIPELINE_SOURCE: "push",
    CI_SERVER_NAME: "GitLab",
    HOSTNAME: o.hostname,
  };
}
