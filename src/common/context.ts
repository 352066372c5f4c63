import type { SecretSet } from "./secrets.js";

/** A place text goes to: process.stdout/stderr in the CLI, a buffer in tests. */
export interface TextSink {
  write(text: string): void;
  readonly isTTY?: boolean;
}

/**
 * Everything a command may touch of the outside world that is not Docker or the file
 * system: passed in, never read at module load, so tests drive commands in-process.
 */
export interface CliContext {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: TextSink;
  stderr: TextSink;
  secrets: SecretSet;
  /** Aborted on SIGINT/SIGTERM; long-running work must stop and clean up. */
  signal: AbortSignal;
}

export function useColor(ctx: Pick<CliContext, "env" | "stderr">): boolean {
  if (ctx.env.NO_COLOR !== undefined && ctx.env.NO_COLOR !== "") return false;
  if (ctx.env.FORCE_COLOR !== undefined && ctx.env.FORCE_COLOR !== "0") return true;
  return ctx.stderr.isTTY === true;
}

/** Human progress and messages: stderr, with secrets redacted. */
export function say(ctx: Pick<CliContext, "stderr" | "secrets">, line: string): void {
  ctx.stderr.write(ctx.secrets.redact(line.endsWith("\n") ? line : `${line}\n`));
}

/** The one prefix of runner-kit's own warnings (a smoke job's log keeps GitLab Runner's "WARNING:"). */
export const WARNING_PREFIX = "runner-kit: warning: ";

/** A warning of runner-kit's own: stderr, one prefix, secrets redacted. */
export function warn(ctx: Pick<CliContext, "stderr" | "secrets">, message: string): void {
  say(ctx, `${WARNING_PREFIX}${message}`);
}

/** Results: stdout, with secrets redacted (also for --json documents). */
export function print(ctx: Pick<CliContext, "stdout" | "secrets">, text: string): void {
  ctx.stdout.write(ctx.secrets.redact(text.endsWith("\n") ? text : `${text}\n`));
}

export function printJson(ctx: Pick<CliContext, "stdout" | "secrets">, value: unknown): void {
  print(ctx, JSON.stringify(value, null, 2));
}
