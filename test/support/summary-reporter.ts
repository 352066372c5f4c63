import { writeFileSync } from "node:fs";
import type { Reporter, SerializedError, TestModule } from "vitest/node";

/**
 * Prints the plain closing line `tests: N passed, N failed, N skipped` after vitest's own
 * report, and — when RUNNER_KIT_TEST_SUMMARY names a file — writes the same counts there as
 * JSON. `.ci/run` judges the run by that file as well as by the exit code: a run that ends
 * before reporting (or whose output is lost) has no file and fails CI.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    let passed = 0;
    // An error outside any test (global setup, a crashed worker) is a failure too.
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const mod of testModules) {
      const tests = [...mod.children.allTests()];
      for (const test of tests) {
        const state = test.result().state;
        if (state === "passed") passed += 1;
        else if (state === "failed") failed += 1;
        else skipped += 1;
      }
      // A test file that failed to load has no tests but is a failure.
      if (mod.state() === "failed" && tests.length === 0) failed += 1;
    }
    const line = `tests: ${passed} passed, ${failed} failed, ${skipped} skipped`;
    process.stdout.write(`\n${line}\n`);
    const file = process.env.RUNNER_KIT_TEST_SUMMARY;
    if (file) writeFileSync(file, JSON.stringify({ passed, failed, skipped, unhandled: unhandledErrors.length }));
  }
}
