import { defineConfig } from "vitest/config";

// bench/buildkit runs as a vitest file so it can use test/support's registry (global setup)
// and private daemon; `npm run bench` (section "buildkit") starts it. Not part of `npm test`.
export default defineConfig({
  test: {
    include: ["bench/buildkit/*.run.ts"],
    globalSetup: ["./test/support/global-setup.ts"],
    testTimeout: 3_600_000,
    hookTimeout: 600_000,
    reporters: ["default"],
  },
});
