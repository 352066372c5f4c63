/** Old path of executor/reap.ts, kept only because src/index.ts imports it from here; delete once index.ts imports the new path. */
export * from "./executor/reap.js";
