/**
 * Readiness bookkeeping for the services wait that the job shell runs (script.ts
 * waitPreamble): which ports each service is checked on, computed before it starts from
 * the image config and the env we give it (GitLab Runner reads the same from the started
 * container), and the markers the wait prints.
 */
import type { ImageInfo } from "./pull.js";
import { healthCheckPorts } from "./services.js";

export interface Readiness {
  /** Milliseconds from the service's start request to the first accepted connection. */
  readyMs?: number;
  port?: number;
  /** Why it is not known to be ready. */
  error?: string;
}

/** Ports GitLab Runner would check: HEALTHCHECK_TCP_PORT from the final env, else exposed TCP ports. */
export function servicePorts(image: ImageInfo, env: string[]): number[] {
  // Later entries win, as in the container: image env first, then ours.
  const merged = new Map<string, string>();
  for (const kv of [...(image.config.Env ?? []), ...env]) {
    const eq = kv.indexOf("=");
    if (eq > 0) merged.set(kv.slice(0, eq), kv);
  }
  return healthCheckPorts([...merged.values()], image.config.ExposedPorts);
}

export type WaitEvent =
  | { kind: "ready"; index: number; port: number }
  | { kind: "timeout"; index: number }
  | { kind: "none" }
  | { kind: "strict" };

/** Parse one line of the wait's output; undefined when it is not a marker line. */
export function parseWaitLine(line: string, marker: string): WaitEvent | undefined {
  if (!line.startsWith(`${marker} `)) return undefined;
  const [kind, index, port] = line.slice(marker.length + 1).split(" ");
  if (kind === "ready") return { kind, index: Number(index), port: Number(port) };
  if (kind === "timeout") return { kind, index: Number(index) };
  if (kind === "none" || kind === "strict") return { kind };
  return undefined;
}
