/**
 * The end of every run, passed or failed, timed out or interrupted: this run's containers,
 * network and volumes are removed, and resources that killed earlier runs left behind are reaped
 * meanwhile (where it costs no waiting).
 */
import { DEFAULT_REAP_AGE_MS, processIsAlive, reapAbandoned, reapedCounts } from "./reap.js";
import { errorMessage } from "./outcome.js";
import type { RunSession } from "./session.js";

export async function cleanUp(s: RunSession, reap: boolean): Promise<void> {
  s.trace("cleanup start");
  await Promise.all([
    s.run.resources.removeAll().then(() => s.trace("resources removed")),
    reap ? reapLeftovers(s).then(() => s.trace("reap done")) : undefined,
  ]);
}

async function reapLeftovers(s: RunSession): Promise<void> {
  const policy = { host: s.run.host, keepInstances: [s.run.instance], maxAgeMs: DEFAULT_REAP_AGE_MS, now: s.now(), isAlive: processIsAlive };
  const reaped = await reapAbandoned(s.docker, policy).catch((error: unknown) => {
    s.log.warn(`could not look for resources left by earlier runs: ${errorMessage(error)}`);
    return undefined;
  });
  if (reaped && reaped.containers + reaped.networks + reaped.volumes > 0) {
    s.log.line(`Removed ${reapedCounts(reaped)} left by killed run(s) ${reaped.runs.join(", ")}`);
  }
}
