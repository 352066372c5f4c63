/**
 * A smoke run's identity — its instance label, host, resource labels and tracked resources
 * — and its job network, whose creation can begin before the job is even read: the
 * `runner-kit smoke` command starts it while it loads and parses the job, so the daemon
 * makes the network meanwhile. runSmokeJob makes one itself when given none.
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
  /** The job network's name (unique per run). */
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

  /** The job network: created on the first call, the same promise after. Tracked for removal. */
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
