/**
 * A smoke run's identity — its instance label, host, resource labels and tracked resources
 * — and its per-build network (FF_NETWORK_PER_BUILD), made on the first call of network():
 * provisioning calls it only when the plan says the job gets a network of its own.
 * The `runner-kit smoke` command makes the RunStart while it reads the job; runSmokeJob
 * makes one itself when given none.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { EngineApi } from "../../engine/engine-api.js";
import { createNetworkWithRetry, DEFAULT_NETWORK_RETRY } from "./network.js";
import { resourceName, RunResources, smokeLabels } from "./resources.js";

export class RunStart {
  readonly host = hostname();
  readonly instance = randomBytes(6).toString("hex");
  readonly resources: RunResources;
  /** The per-build network's name (unique per run), whether or not the job gets one. */
  readonly networkName: string;
  private creating: Promise<{ id: string }> | undefined;

  constructor(
    private readonly docker: EngineApi,
    readonly runId: string,
    /** Ends the wait for a free address pool (Ctrl-C). */
    private readonly signal?: AbortSignal,
  ) {
    this.resources = new RunResources(docker, this.instance);
    this.networkName = resourceName(runId, "network");
  }

  labels(role: string): Record<string, string> {
    return smokeLabels(this.runId, this.instance, this.host, role);
  }

  /** The per-build network: created on the first call, the same promise after. Tracked for removal. */
  network(): Promise<{ id: string }> {
    if (!this.creating) {
      this.creating = this.resources.network(
        createNetworkWithRetry(
          (spec) => this.docker.createNetwork(spec),
          { Name: this.networkName, Driver: "bridge", CheckDuplicate: true, Labels: this.labels("network") },
          { ...DEFAULT_NETWORK_RETRY, ...(this.signal ? { signal: this.signal } : {}) },
        ),
      );
      this.creating.catch(() => undefined); // awaited by the run; never an unhandled rejection meanwhile
    }
    return this.creating;
  }
}
