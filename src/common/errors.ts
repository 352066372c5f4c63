/**
 * The one errors module: every error runner-kit reports on purpose is a RunnerKitError,
 * and its kind decides the process exit code. Messages are one paragraph: what went
 * wrong, where (file:line:column, image, registry), and what to do about it.
 */

export const ExitCode = {
  ok: 0,
  /** A build, push or smoke job failed. */
  failure: 1,
  /** Bad usage or configuration: nothing was attempted. */
  usage: 2,
  /** SIGINT (Ctrl-C): runner-kit cleaned up and stopped. */
  interrupted: 130,
  /** SIGTERM (128 + 15, as shells and CI runners expect): runner-kit cleaned up and stopped. */
  terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export type ErrorKind = "usage" | "config" | "failure" | "interrupted";

export interface SourceLocation {
  file: string;
  /** 1-based */
  line?: number;
  /** 1-based */
  column?: number;
}

export interface RunnerKitErrorOptions {
  /** Where the problem is: a file position, or a subject such as an image or registry. */
  where?: SourceLocation | string;
  /** What the user can do about it. */
  hint?: string;
  cause?: unknown;
  /** Structured details for --json output (never secrets). */
  details?: Record<string, unknown>;
}

export class RunnerKitError extends Error {
  readonly kind: ErrorKind;
  readonly where: SourceLocation | string | undefined;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(kind: ErrorKind, message: string, options: RunnerKitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RunnerKitError";
    this.kind = kind;
    this.where = options.where;
    this.hint = options.hint;
    this.details = options.details;
  }

  get exitCode(): ExitCode {
    return this.kind === "interrupted" ? signalExitCode(this.details?.signal) : exitCodeForKind(this.kind);
  }

  /** The one-paragraph text shown to users. */
  toParagraph(): string {
    const where = formatWhere(this.where);
    const parts = [where ? `${where}: ${this.message}` : this.message];
    if (this.hint) parts.push(this.hint.charAt(0).toUpperCase() + this.hint.slice(1));
    const text = parts.map((p) => p.trim().replace(/\.$/, "")).join(". ");
    return /[.?!]$/.test(text) ? text : `${text}.`;
  }
}

/** Bad command-line usage (unknown flag, bad K=V syntax, …). Exit 2. */
export function usageError(message: string, options?: RunnerKitErrorOptions): RunnerKitError {
  return new RunnerKitError("usage", message, options);
}

/** Bad configuration: project file, templates, credentials setup, daemon address. Exit 2. */
export function configError(message: string, options?: RunnerKitErrorOptions): RunnerKitError {
  return new RunnerKitError("config", message, options);
}

/** A build, push or job that was attempted and failed. Exit 1. */
export function failure(message: string, options?: RunnerKitErrorOptions): RunnerKitError {
  return new RunnerKitError("failure", message, options);
}

export function interrupted(signal: string): RunnerKitError {
  return new RunnerKitError("interrupted", `interrupted by ${signal}; resources created by this run were removed`, { details: { signal } });
}

/** The exit code for stopping on a signal: 143 for SIGTERM, 130 for SIGINT (and anything else). */
export function signalExitCode(signal: unknown): ExitCode {
  return signal === "SIGTERM" ? ExitCode.terminated : ExitCode.interrupted;
}

/** The signal name an aborted run carries (the CLI aborts with `new Error("SIGTERM")`). */
export function abortSignalName(signal: AbortSignal): string | undefined {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : typeof reason === "string" ? reason : undefined;
}

export function exitCodeForKind(kind: ErrorKind): ExitCode {
  switch (kind) {
    case "usage":
    case "config":
      return ExitCode.usage;
    case "failure":
      return ExitCode.failure;
    case "interrupted":
      return ExitCode.interrupted;
  }
}

export function formatWhere(where: SourceLocation | string | undefined): string {
  if (where === undefined) return "";
  if (typeof where === "string") return where;
  let text = where.file;
  if (where.line !== undefined) {
    text += `:${where.line}`;
    if (where.column !== undefined) text += `:${where.column}`;
  }
  return text;
}

export function isRunnerKitError(error: unknown): error is RunnerKitError {
  return error instanceof RunnerKitError;
}

/**
 * Turn anything thrown into the text and exit code the CLI reports. Unexpected errors
 * are reported as internal errors; their stack is only shown with --debug.
 */
export function describeError(error: unknown, debug = false): { text: string; exitCode: ExitCode } {
  if (isRunnerKitError(error)) {
    let text = `runner-kit: ${error.toParagraph()}`;
    if (debug && error.stack) text += `\n${error.stack}`;
    return { text, exitCode: error.exitCode };
  }
  const message = error instanceof Error ? error.message : String(error);
  let text = `runner-kit: internal error: ${message.trim().replace(/\.$/, "")}. This is a bug in runner-kit; re-run with --debug for details and report it.`;
  if (debug && error instanceof Error && error.stack) text += `\n${error.stack}`;
  return { text, exitCode: ExitCode.failure };
}
