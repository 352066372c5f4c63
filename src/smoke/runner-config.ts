/** Old path of job/runner-config.ts, kept only because src/index.ts imports it from here; delete once index.ts imports the new path. */
export * from "./job/runner-config.js";
