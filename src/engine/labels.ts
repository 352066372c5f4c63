import { randomBytes } from "node:crypto";

/** Every container, network and volume runner-kit creates carries these labels. */
export const MANAGED_LABEL = "io.runner-kit.managed";
export const RUN_LABEL = "io.runner-kit.run";
/** The process that created a resource, so a reaper can tell a live run from a dead one. */
export const PID_LABEL = "io.runner-kit.pid";

/**
 * A fresh run id, or RUNNER_KIT_RUN_ID from the environment when it is set (CI jobs set it
 * to trace resources to a job; tests set it to assert a CLI run left nothing behind).
 */
export function newRunId(env: NodeJS.ProcessEnv = {}): string {
  const given = env.RUNNER_KIT_RUN_ID;
  if (given && /^[a-z0-9][a-z0-9_.-]{0,62}$/i.test(given)) return given;
  return randomBytes(6).toString("hex");
}

export function runLabels(runId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [MANAGED_LABEL]: "true", [RUN_LABEL]: runId, [PID_LABEL]: String(process.pid), ...extra };
}
