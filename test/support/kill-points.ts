import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { execa } from "execa";
import { BIN } from "./cli.js";

export interface KillOutcome {
  /** The process was killed (false: it had already finished before the kill point). */
  killed: boolean;
  exitCode: number | undefined;
  stderr: string;
}

/** Start the built binary and send it SIGKILL after `delayMs` (unless it finished first). */
export async function runAndKill(argv: string[], options: { cwd: string; env: NodeJS.ProcessEnv; delayMs: number }): Promise<KillOutcome> {
  const child = execa("node", [BIN, ...argv], { cwd: options.cwd, env: { NO_COLOR: "1", ...options.env }, reject: false, timeout: 300_000 });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.delayMs);
  const result = await child;
  clearTimeout(timer);
  return { killed: result.signal === "SIGKILL", exitCode: result.exitCode, stderr: result.stderr };
}

/** Run to completion, returning the wall time (used to spread the kill points over a run). */
export async function timedRun(argv: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ ms: number; code: number; stderr: string }> {
  const started = Date.now();
  const result = await execa("node", [BIN, ...argv], { cwd: options.cwd, env: { NO_COLOR: "1", ...options.env }, reject: false, timeout: 300_000 });
  return { ms: Date.now() - started, code: result.exitCode ?? 1, stderr: result.stderr };
}

/**
 * `count` kill delays spread over [0, 1.2 × runtimeMs]: one random point in each of `count`
 * equal slices, so every phase of the run (start-up, work, the final writes) gets hit.
 */
export function killDelays(count: number, runtimeMs: number, random: () => number = Math.random): number[] {
  const span = runtimeMs * 1.2;
  return Array.from({ length: count }, (_, i) => Math.round(((i + random()) / count) * span));
}

/** Every file under `dir` (relative paths), including dot files. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

/** Temporary files writeFileAtomic leaves when it is killed between creating and renaming one. */
export function strayTempFiles(dir: string): string[] {
  return filesUnder(dir).filter((f) => /(^|\/)\.[^/]+\.\d+@[A-Za-z0-9-]+\.[0-9a-f]{12}\.tmp$/.test(f));
}

/** Permission bits of a file. */
export function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}
