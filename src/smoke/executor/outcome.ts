/**
 * What a step_script stage means for the job: passed, or failed and why — the job's own
 * exit code, a timeout, a service under --strict-services, or an image that cannot run
 * GitLab Runner's scripts at all (no shell, no grep, an ENTRYPOINT that swallows them).
 */
import type { StageOutcome } from "./stage.js";

export interface StepScriptRun {
  stage: StageOutcome | { noExecutable: string };
  /** The shell printed the start marker: the script (not only an entrypoint) ran. */
  sawStart: boolean;
  sawNoGrep: boolean;
  /** The shell-detect command found no shell. */
  sawNoShell: boolean;
}

export interface JudgeContext {
  image: string;
  timeoutSeconds: number;
  strictStop: boolean;
  notReady: string[];
  /** The job's image:entrypoint, when set. */
  entrypoint: string[] | undefined;
  /** The image's own ENTRYPOINT. */
  imageEntrypoint: string[] | undefined;
}

export interface Judgement {
  reason?: string;
  exitCode?: number;
  /** False when the job's shell never ran (after_script is then skipped). */
  jobRan: boolean;
}

export function judgeStepScript(main: StepScriptRun, o: JudgeContext): Judgement {
  let reason: string | undefined;
  let exitCode: number | undefined;
  let jobRan = true;
  if ("noExecutable" in main.stage) {
    reason = noShellReason(o.image, main.stage.noExecutable);
    jobRan = false;
  } else if (main.sawNoShell && !main.sawStart) {
    reason = noShellReason(o.image, "shell not found");
    jobRan = false;
  } else if (main.sawNoGrep) {
    reason = `the image ${o.image} has no grep; GitLab Runner's job scripts need sh (or bash) and grep — install grep in the image`;
  } else if (o.strictStop) {
    reason = `service(s) ${o.notReady.join(", ")} did not become ready and --strict-services is set`;
    jobRan = false;
  } else if (main.stage.timedOut) {
    reason = `execution took longer than ${o.timeoutSeconds} seconds`;
  } else if (main.stage.exitCode !== 0) {
    exitCode = main.stage.exitCode;
    reason = `exit code ${exitCode}`;
    if (!main.sawStart) {
      const ep = o.imageEntrypoint;
      reason += o.entrypoint
        ? `; the entrypoint ${JSON.stringify(o.entrypoint)} did not run the job script (it must exec its arguments)`
        : ep && ep.length > 0
          ? `; the ENTRYPOINT ${JSON.stringify(ep)} of ${o.image} did not run the job script — make it exec its arguments, or set image: { name: ${o.image}, entrypoint: [""] }`
          : "";
    }
  } else if (!main.sawStart) {
    exitCode = 0;
    const ep = o.entrypoint ?? o.imageEntrypoint ?? [];
    reason = `the job script never ran: the entrypoint ${JSON.stringify(ep)} of ${o.image} exited 0 without starting the shell — make it exec its arguments, or set image: { name: ${o.image}, entrypoint: [""] }`;
  } else {
    exitCode = 0;
  }
  return { ...(reason !== undefined ? { reason } : {}), ...(exitCode !== undefined ? { exitCode } : {}), jobRan };
}

/** What an after_script that did not exit 0 adds to the log: GitLab Runner's warning (the job's result stands). */
export function afterScriptWarning(after: StepScriptRun["stage"], timeoutSeconds: number): string | undefined {
  const prefix = "after_script failed, but job will continue unaffected";
  if ("noExecutable" in after) return `${prefix}: ${after.noExecutable}`;
  if (after.timedOut) return `${prefix}: execution took longer than ${timeoutSeconds} seconds`;
  if (after.exitCode !== 0) return `${prefix}: exit code ${after.exitCode}`;
  return undefined;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isNoExecutable(message: string): boolean {
  return /executable file not found|no such file or directory|not found in \$PATH|exec format error/i.test(message);
}

export function noShellReason(image: string, detail: string): string {
  const exec = detail.match(/exec: ("[^"]*": [^:]+)/)?.[1];
  return `the image ${image} has no usable shell (${(exec ?? detail).trim()}); GitLab Runner's Docker executor needs sh or bash (and grep) in the job image`;
}
