import type { UserConsoleLog } from "vitest";
import type { Reporter, SerializedError, TestModule } from "vitest/node";

/**
 * The `npm run test:faults` summary table: bad inputs tried / clear errors (bad-input.test.ts),
 * faults injected / survived (smoke-signals and faults-* tests other than the secret scan; each
 * test injects one fault — a signal, a registry kill, a daemon restart, one kill -9 point, the
 * parallel runs — and passes when runner-kit survived it), with a row per kind,
 * leaked resources (failed expectNoLeaks assertions) and secret findings (faults-secrets).
 */
/** The row a fault test file's tests are counted under (each test injects one fault). */
const KINDS: [RegExp, string][] = [
  [/smoke-signals\.test\.ts$/, "SIGINT/SIGTERM/SIGKILL during smoke"],
  [/faults-registry-restart\.test\.ts$/, "registry killed mid-push"],
  [/faults-daemon-restart\.test\.ts$/, "Docker daemon restarted mid-build"],
  [/faults-buildkit-daemon\.test\.ts$/, "Docker daemon restarted mid-BuildKit-build"],
  [/faults-parallel-smoke\.test\.ts$/, "20 parallel smoke runs"],
  [/faults-index-registry\.test\.ts$/, "registry killed during an index push"],
  [/faults-kill-files\.test\.ts$/, "kill -9 during config/build"],
];

function faultKind(file: string): string {
  return KINDS.find(([pattern]) => pattern.test(file))?.[1] ?? file.replace(/^.*\//, "");
}

export default class FaultsReporter implements Reporter {
  private secretFindings = 0;

  onUserConsoleLog(log: UserConsoleLog): void {
    const match = /secret findings: (\d+)/.exec(log.content);
    if (match) this.secretFindings += Number(match[1]);
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    const rows = { badTried: 0, badClear: 0, faultsInjected: 0, faultsSurvived: 0, leaks: 0, secretTestsFailed: 0 };
    const byKind = new Map<string, { injected: number; survived: number }>();
    for (const mod of testModules) {
      const file = mod.moduleId;
      for (const test of mod.children.allTests()) {
        const result = test.result();
        const passed = result.state === "passed";
        const errors = (result.errors ?? []).map((e) => e.message).join("\n");
        if (/resources left by run/.test(errors)) rows.leaks += 1;
        if (file.endsWith("bad-input.test.ts")) {
          if (test.name === "has cases") continue;
          rows.badTried += 1;
          if (passed) rows.badClear += 1;
        } else if (file.endsWith("faults-secrets.test.ts")) {
          if (!passed) rows.secretTestsFailed += 1;
        } else {
          rows.faultsInjected += 1;
          if (passed) rows.faultsSurvived += 1;
          const kind = faultKind(file);
          const k = byKind.get(kind) ?? { injected: 0, survived: 0 };
          k.injected += 1;
          if (passed) k.survived += 1;
          byKind.set(kind, k);
        }
      }
    }
    const table = [
      ["bad inputs tried / clear errors", `${rows.badTried} / ${rows.badClear}`],
      ["faults injected / survived", `${rows.faultsInjected} / ${rows.faultsSurvived}`],
      ...[...byKind].map(([kind, k]) => [`  ${kind}`, `${k.injected} / ${k.survived}`]),
      ["leaked resources (tests)", String(rows.leaks)],
      ["secret findings", `${this.secretFindings}${rows.secretTestsFailed ? ` (${rows.secretTestsFailed} secret tests failed)` : ""}`],
      ["unhandled errors", String(unhandledErrors.length)],
    ];
    const width = Math.max(...table.map(([k]) => k!.length));
    process.stdout.write(`\nfailure-mode summary\n${table.map(([k, v]) => `  ${k!.padEnd(width)}  ${v}`).join("\n")}\n`);
  }
}
