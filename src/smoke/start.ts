/** Old path of executor/start.ts, kept only because src/index.ts imports it from here; delete once index.ts imports the new path. */
export * from "./executor/start.js";
