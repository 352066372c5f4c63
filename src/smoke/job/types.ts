/** The job model's data: one .gitlab-ci.yml job as the Docker executor sees it. */
import type { VariableMap } from "./variables.js";

export type PullPolicy = "always" | "never" | "if-not-present";

export interface ImageSpec {
  name: string;
  /** Overrides the image ENTRYPOINT when set; `[""]` clears it. */
  entrypoint?: string[];
  pullPolicy?: PullPolicy[];
  /** `docker: user`: the user the job's commands run as. */
  user?: string;
  /** `docker: platform`: the image is pulled and its container created for this platform. */
  platform?: string;
}

export interface ServiceSpec extends ImageSpec {
  alias?: string;
  command?: string[];
  /** The service's own variables (expanded against the job's at run time). */
  variables: VariableMap;
}

export interface SmokeJob {
  name: string;
  /** Where the job came from (a file path, or "built-in …"). */
  file: string;
  stage: string;
  image?: ImageSpec;
  services: ServiceSpec[];
  /** Global then job variables, not yet expanded. */
  variables: VariableMap;
  /** Variables declared with `expand: false`. */
  noExpand: string[];
  beforeScript: string[];
  script: string[];
  afterScript: string[];
  /** The job's `timeout:`, seconds. */
  timeoutSeconds?: number;
  /** Keys smoke reads but cannot honour, one sentence each. */
  warnings: string[];
}

export interface ParseJobOptions {
  /** File name used in messages. */
  file: string;
  /** The job to run; undefined → the file's only job. */
  job?: string;
}
