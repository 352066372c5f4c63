/** What a smoke run reports: the job's result, its services, its warnings and its log. */

export interface ServiceResult {
  name: string;
  aliases: string[];
  started: boolean;
  ready: boolean;
  readyMs?: number;
  port?: number;
  error?: string;
}

export interface SmokeResult {
  runId: string;
  job: string;
  file: string;
  image: string;
  imageDigest: string;
  services: ServiceResult[];
  durationMs: number;
  result: "passed" | "failed";
  /** The job script's own exit code (undefined when it did not run to an exit). */
  exitCode?: number;
  /** Why it failed, one sentence. */
  reason?: string;
  warnings: string[];
  /** The whole job log (for JUnit). */
  log: string;
}
