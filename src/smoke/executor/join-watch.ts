/**
 * A service's addresses as soon as it has joined the default bridge, before its start
 * returns. The daemon attaches a container to its network early in a start (the address is
 * allocated, the endpoint joined, a `connect` event sent) and only then creates and runs the
 * process, which is most of the start's time. The job container's link entries need only
 * the addresses, so on the default bridge it can be created and filled with the project
 * while its services' starts finish. The addresses are read from the network's inspect
 * document, the same ones the container's own inspect shows once started.
 *
 * Best effort: a daemon (or client) without events, or an event that never comes, leaves the
 * caller to read the addresses after the start, as before.
 */
import type { EngineApi } from "../../engine/engine-api.js";
import { LineSplitter } from "./stage.js";

interface ConnectEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/** The container's addresses in a network inspect document ("172.17.0.3/16" → "172.17.0.3"), v4 first. */
export function addressesIn(containers: Record<string, { IPv4Address?: string; IPv6Address?: string }> | null | undefined, id: string): string[] {
  const entry = containers?.[id];
  if (!entry) return [];
  const ips = [entry.IPv4Address, entry.IPv6Address].map((a) => (a ?? "").split("/")[0] ?? "").filter((a) => a !== "");
  return [...new Set(ips)];
}

export class JoinWatch {
  private readonly waiting = new Map<string, (ips: string[] | undefined) => void>();

  private constructor(
    private readonly docker: EngineApi,
    private readonly stream: NodeJS.ReadableStream,
  ) {
    const lines = new LineSplitter((line) => this.onLine(line));
    stream.on("data", (chunk: Buffer | string) => lines.push(chunk.toString()));
    stream.on("error", () => this.close());
    stream.on("end", () => this.close());
  }

  /**
   * Subscribed to the network's connect events (resolves once the daemon listens); undefined
   * when the client has no events, the daemon refuses, or does not answer within `waitMs`
   * (the run then does without, never waits on it).
   */
  static async open(docker: EngineApi, network: string, waitMs = 2000): Promise<JoinWatch | undefined> {
    if (!docker.getEvents) return undefined;
    const subscribing = docker.getEvents({ filters: { type: ["network"], event: ["connect"], network: [network] } }).then(
      (stream) => new JoinWatch(docker, stream),
      () => undefined,
    );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), waitMs)));
    const watch = await Promise.race([subscribing, late]);
    clearTimeout(timer);
    if (watch === undefined) void subscribing.then((w) => w?.close());
    return watch;
  }

  /** The container's addresses once it has joined; undefined when they cannot be told this way. Ask before starting it. */
  addresses(containerId: string): Promise<string[] | undefined> {
    return new Promise((resolve) => this.waiting.set(containerId, resolve));
  }

  /** Stop listening; containers still waited for get undefined. */
  close(): void {
    for (const resolve of this.waiting.values()) resolve(undefined);
    this.waiting.clear();
    (this.stream as unknown as { destroy?: () => void }).destroy?.();
  }

  private onLine(line: string): void {
    let event: ConnectEvent;
    try {
      event = JSON.parse(line) as ConnectEvent;
    } catch {
      return;
    }
    const container = event.Actor?.Attributes?.container;
    const network = event.Actor?.ID;
    if (event.Action !== "connect" || container === undefined || network === undefined) return;
    const resolve = this.waiting.get(container);
    if (!resolve) return; // another container joining the bridge
    this.waiting.delete(container);
    void this.inspect(network, container).then(resolve);
  }

  private async inspect(network: string, container: string): Promise<string[] | undefined> {
    try {
      const ips = addressesIn((await this.docker.getNetwork(network).inspect()).Containers, container);
      return ips.length > 0 ? ips : undefined;
    } catch {
      return undefined;
    }
  }
}
