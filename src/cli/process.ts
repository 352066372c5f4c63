/** The CLI as a process: stdio, signals, exit code. Started by main.ts. */
import { signalExitCode } from "../common/errors.js";
import { SecretSet } from "../common/secrets.js";
import { endQuietlyOnClosedPipe } from "./closed-pipe.js";
import { runCli } from "./program.js";

endQuietlyOnClosedPipe();

const controller = new AbortController();
let signals = 0;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    signals += 1;
    // A second Ctrl-C means "stop now": cleanup already had its chance.
    if (signals > 1) process.exit(signalExitCode(sig));
    controller.abort(new Error(sig));
  });
}

// No top-level await: the bin loads this module as CommonJS (src/cli/code-cache.ts).
void runCli({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  secrets: new SecretSet(),
  signal: controller.signal,
}).then((code) => {
  process.exitCode = code;
});
