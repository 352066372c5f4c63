/**
 * Creating the job network when the daemon's address pools are full. Every bridge network
 * takes a subnet from dockerd's default-address-pools (about 30 with the defaults); when
 * they are all in use the daemon answers "could not find an available, non-overlapping IPv4
 * address pool". Other runs on a shared daemon free theirs within seconds, so the creation is
 * retried for a while; after that the error says what is wrong and what to do.
 */
import { failure } from "../../common/errors.js";
import type { NetworkSpec } from "../../engine/engine-api.js";

export interface NetworkRetry {
  /** Time to keep trying while the pools are full (ms). */
  waitMs: number;
  /** Pause between tries (ms). */
  pauseMs: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  signal?: AbortSignal;
}

export const DEFAULT_NETWORK_RETRY: Omit<NetworkRetry, "signal"> = {
  waitMs: 30_000,
  pauseMs: 500,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
};

/** True when the daemon refused a network because no address pool is free. */
export function isAddressPoolExhausted(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /non-overlapping IPv4 address pool|address pools have been fully subnetted/i.test(message);
}

export async function createNetworkWithRetry(
  create: (spec: NetworkSpec) => Promise<{ id: string }>,
  spec: NetworkSpec,
  retry: NetworkRetry,
): Promise<{ id: string }> {
  const deadline = retry.now() + retry.waitMs;
  for (;;) {
    try {
      return await create(spec);
    } catch (error) {
      if (!isAddressPoolExhausted(error)) throw error;
      if (retry.signal?.aborted) throw error;
      if (retry.now() + retry.pauseMs > deadline) {
        throw failure(
          `the Docker daemon has no free address range for the job network ${spec.Name}: every subnet of its ` +
            `default-address-pools is taken by other networks (tried for ${Math.round(retry.waitMs / 1000)} s). ` +
            "Remove networks that are no longer used (docker network ls; runner-kit smoke --reap removes those of killed smoke runs), " +
            "run fewer smoke jobs at once on this daemon, or give dockerd larger default-address-pools in daemon.json.",
          { cause: error },
        );
      }
      await retry.sleep(retry.pauseMs);
    }
  }
}
