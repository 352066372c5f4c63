import { randomBytes } from "node:crypto";

/** Every container, network and volume runner-kit creates carries these labels. */
export const MANAGED_LABEL = "io.runner-kit.managed";
export const RUN_LABEL = "io.runner-kit.run";
/** The process that created a resource, so a reaper can tell a live run from a dead one. */
export const PID_LABEL = "io.runner-kit.pid";

export function newRunId(): string {
  return randomBytes(6).toString("hex");
}

export function runLabels(runId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [MANAGED_LABEL]: "true", [RUN_LABEL]: runId, [PID_LABEL]: String(process.pid), ...extra };
}
