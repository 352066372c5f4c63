import { configError, type RunnerKitError } from "../common/errors.js";

/**
 * A problem found while compiling or rendering one template file. Helpers and the output
 * guard raise it with a line and column; the wrapper around each compiled file adds the
 * file, so the innermost partial is the one named.
 */
export class TemplateProblem extends Error {
  constructor(
    readonly reason: string,
    public line?: number,
    public column?: number,
    public file?: string,
  ) {
    super(reason);
    this.name = "TemplateProblem";
  }
}

interface HandlebarsException {
  lineNumber?: number;
  column?: number;
  message: string;
}

/** Any error thrown while rendering `file`, as a TemplateProblem that names the file. */
export function problemIn(file: string, error: unknown): unknown {
  if (error instanceof TemplateProblem) {
    error.file ??= file;
    return error;
  }
  if (error instanceof Error && error.name !== "RunnerKitError") {
    const e = error as Error & HandlebarsException;
    // Handlebars: `"x" not defined in [object Object] - 3:4` (column 0-based) or "Parse error on line 3: …".
    const reason = e.message
      .split("\n")[0]!
      .replace(/ - \d+:\d+$/, "")
      .replace(/ not defined in .*$/, " is not defined (strict mode: every name a template uses must have a value)");
    const line = e.lineNumber ?? Number(/on line (\d+)/.exec(e.message)?.[1] ?? NaN);
    return new TemplateProblem(reason, Number.isNaN(line) ? undefined : line, e.column === undefined ? undefined : e.column + 1, file);
  }
  return error;
}

/** The one-paragraph configuration error for a template problem. */
export function templateError(problem: TemplateProblem, variantId: string): RunnerKitError {
  return configError(`template error while rendering ${variantId}: ${problem.reason}`, {
    where: problem.file === undefined ? variantId : { file: problem.file, line: problem.line, column: problem.column },
    hint: "fix the template or give the value in runner-kit.yaml (values:, or --set name=value)",
  });
}
