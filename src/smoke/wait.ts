/**
 * Waiting for services as GitLab Runner does (any of the chosen TCP ports accepts a
 * connection), but from one probe container inside the job network — so it works the
 * same against a remote daemon (docker:dind) — polling every 100 ms.
 */
import { randomBytes } from "node:crypto";
import type Docker from "dockerode";
import { probeScript } from "./script.js";
import { resourceName, type RunResources } from "./resources.js";
import type { StartedService } from "./services.js";
import { LineSplitter } from "./stage.js";

export interface Readiness {
  /** Milliseconds from the service's start to the first accepted connection. */
  readyMs?: number;
  port?: number;
  /** Why it is not known to be ready. */
  error?: string;
}

export interface WaitOptions {
  docker: Docker;
  resources: RunResources;
  runId: string;
  labels: (role: string) => Record<string, string>;
  network: string;
  /** Image the probe runs from (the job image: it must have a shell anyway). */
  probeImage: string;
  services: StartedService[];
  timeoutMs: number;
  signal?: AbortSignal;
  now: () => number;
}

export class ProbeStartError extends Error {}

export async function waitForServices(o: WaitOptions): Promise<Map<number, Readiness>> {
  const result = new Map<number, Readiness>();
  const targets = o.services.filter((s) => s.ports.length > 0);
  for (const s of o.services) {
    if (s.ports.length === 0) result.set(s.index, { error: `service "${s.spec.name}" has no exposed ports` });
  }
  if (targets.length === 0) return result;
  const marker = `rk-ready-${randomBytes(6).toString("hex")}`;
  const script = probeScript(targets.map((s) => ({ index: s.index, host: s.ip, ports: s.ports })), marker);
  const container = await o.resources.container(
    o.docker.createContainer({
      name: resourceName(o.runId, "wait-for-services"),
      Image: o.probeImage,
      Entrypoint: ["sh", "-c"],
      Cmd: [script],
      Labels: o.labels("wait-for-services"),
      HostConfig: { NetworkMode: o.network, AutoRemove: false },
    }),
  );
  const stream = await container.attach({ stream: true, stdout: true, stderr: true });
  let noTool = false;
  const pending = new Set(targets.map((s) => s.index));
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const lines = new LineSplitter((line) => {
    if (!line.startsWith(marker)) return;
    const [, what, port] = line.split(" ");
    if (what === "none") {
      noTool = true;
      finish();
      return;
    }
    const index = Number(what);
    const svc = targets.find((s) => s.index === index);
    if (!svc || !pending.has(index)) return;
    pending.delete(index);
    result.set(index, { readyMs: Math.max(0, o.now() - svc.startedAt), port: Number(port) });
    if (pending.size === 0) finish();
  });
  const { PassThrough } = await import("node:stream");
  const out = new PassThrough().setEncoding("utf8");
  out.on("data", (c: string) => lines.push(c));
  container.modem.demuxStream(stream, out, new PassThrough());
  stream.on("end", () => finish());
  const timer = setTimeout(finish, o.timeoutMs);
  const onAbort = () => finish();
  o.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    try {
      await container.start();
    } catch (error) {
      throw new ProbeStartError(error instanceof Error ? error.message : String(error));
    }
    await done;
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener("abort", onAbort);
    (stream as unknown as { destroy?: () => void }).destroy?.();
    await container.remove({ force: true }).catch(() => undefined);
  }
  for (const index of pending) {
    const svc = targets.find((s) => s.index === index) as StartedService;
    result.set(index, {
      error: noTool
        ? `cannot check service "${svc.spec.name}": the image ${o.probeImage} has neither bash nor nc to probe TCP ports`
        : `service "${svc.spec.name}" did not accept a TCP connection on port ${svc.ports.join(", ")} within ${Math.round(o.timeoutMs / 100) / 10} s`,
    });
  }
  return result;
}
