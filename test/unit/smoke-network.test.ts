import { describe, expect, it } from "vitest";
import { isRunnerKitError } from "../../src/common/errors.js";
import { createNetworkWithRetry, isAddressPoolExhausted } from "../../src/smoke/executor/network.js";

const POOLS_FULL = new Error(
  "(HTTP code 404) not found - could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network ",
);

/** A clock that only moves when the retry sleeps. */
function fakeClock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), elapsed: () => t };
}

describe("creating the job network when the address pools are full", () => {
  it("recognises the daemon's message, and nothing else", () => {
    expect(isAddressPoolExhausted(POOLS_FULL)).toBe(true);
    expect(isAddressPoolExhausted(new Error("(HTTP code 409) conflict - network with name x already exists"))).toBe(false);
  });

  it("retries until a pool is free", async () => {
    const clock = fakeClock();
    let calls = 0;
    const create = async () => {
      calls += 1;
      if (calls < 4) throw POOLS_FULL;
      return { id: "net" };
    };
    const spec = { Name: "rk-net", Driver: "bridge", Labels: {} };
    await expect(createNetworkWithRetry(create, spec, { waitMs: 10_000, pauseMs: 500, ...clock })).resolves.toEqual({ id: "net" });
    expect(calls).toBe(4);
    expect(clock.elapsed()).toBe(1500);
  });

  it("gives up with one clear failure naming the network and what to do", async () => {
    const clock = fakeClock();
    const spec = { Name: "rk-net", Driver: "bridge", Labels: {} };
    const error = await createNetworkWithRetry(async () => Promise.reject(POOLS_FULL), spec, { waitMs: 3000, pauseMs: 500, ...clock }).catch((e: unknown) => e);
    expect(isRunnerKitError(error)).toBe(true);
    expect((error as Error).message).toMatch(/no free address range for the job network rk-net/);
    expect((error as Error).message).toMatch(/default-address-pools/);
    expect(clock.elapsed()).toBeLessThanOrEqual(3000);
  });

  it("passes other errors through at once, and stops waiting when aborted", async () => {
    const clock = fakeClock();
    const spec = { Name: "rk-net", Driver: "bridge", Labels: {} };
    const other = new Error("(HTTP code 500) server error - boom");
    await expect(createNetworkWithRetry(async () => Promise.reject(other), spec, { waitMs: 3000, pauseMs: 500, ...clock })).rejects.toBe(other);
    const aborted = AbortSignal.abort();
    await expect(createNetworkWithRetry(async () => Promise.reject(POOLS_FULL), spec, { waitMs: 3000, pauseMs: 500, ...clock, signal: aborted })).rejects.toBe(POOLS_FULL);
    expect(clock.elapsed()).toBe(0);
  });
});
