/**
 * The job log of one smoke run: every line goes to the caller at once (the CLI's stderr)
 * and is kept, up to 4 MiB, for the JUnit report; warnings are kept for the result too.
 */
const LOG_LIMIT = 4 * 1024 * 1024;

export class JobLog {
  private kept = "";
  /** Every warning of the run, in order (the result's `warnings`). */
  readonly warnings: string[] = [];

  constructor(private readonly out: (text: string) => void) {}

  /** One line of the log ("\n" is added). */
  line = (line: string): void => {
    const text = `${line}\n`;
    if (this.kept.length < LOG_LIMIT) this.kept += text;
    this.out(text);
  };

  /** A warning: logged as GitLab Runner logs it ("WARNING: …") and kept. */
  warn = (message: string): void => {
    this.warnings.push(message);
    this.line(`WARNING: ${message}`);
  };

  /** A warning kept for the result whose log lines the caller writes itself. */
  note(message: string): void {
    this.warnings.push(message);
  }

  /** The log so far. */
  get text(): string {
    return this.kept;
  }
}
