/** Old path of executor/aliases.ts, kept only because src/index.ts imports it from here; delete once index.ts imports the new path. */
export * from "./executor/aliases.js";
