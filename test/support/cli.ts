import { join } from "node:path";
import { execa } from "execa";
import { runCli } from "../../src/cli/program.js";
import { SecretSet } from "../../src/common/secrets.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in-process with captured output (fast; same code path as the binary). */
export async function runInProcess(
  argv: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; signal?: AbortSignal } = {},
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await runCli({
    argv,
    env: options.env ?? { ...process.env, NO_COLOR: "1" },
    cwd: options.cwd ?? process.cwd(),
    stdout: { write: (s) => void (stdout += s), isTTY: false },
    stderr: { write: (s) => void (stderr += s), isTTY: false },
    secrets: new SecretSet(),
    signal: options.signal ?? new AbortController().signal,
  });
  return { code, stdout, stderr };
}

export const BIN = join(import.meta.dirname, "..", "..", "dist", "cli", "main.js");

/** Run the built binary as a user would (needs `npm run build`; `npm test` does it). */
export async function runBin(
  argv: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const result = await execa("node", [BIN, ...argv], {
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...options.env },
    reject: false,
    timeout: options.timeoutMs ?? 120_000,
  });
  return { code: result.exitCode ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A project's own environment for an in-process run: nothing of the developer's Docker
 * config (HOME is the project), no colour, the test's run id, and the daemon the tests use.
 */
export function projectEnv(home: string, runId: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    NO_COLOR: "1",
    RUNNER_KIT_RUN_ID: runId,
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
    ...extra,
  };
}

/** `runner-kit ARGV` in-process in a project directory, with projectEnv. */
export function runInProject(dir: string, runId: string, argv: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runInProcess(argv, { cwd: dir, env: projectEnv(dir, runId, extra) });
}
