import { defineConfig } from "vitest/config";

// bench/pipeline runs as a vitest file so it can use test/support's registry fixture (global
// setup) and the scaffold set-up the end-to-end test uses; `npm run bench` (section
// "pipeline") starts it. Not part of `npm test`.
export default defineConfig({
  test: {
    include: ["bench/pipeline/*.run.ts"],
    globalSetup: ["./test/support/global-setup.ts"],
    testTimeout: 3_600_000,
    hookTimeout: 600_000,
    reporters: ["default"],
  },
});
