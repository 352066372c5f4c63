/** Old path of the ResolveAuth type (now in auth/lazy-resolver.ts), kept only because src/index.ts imports it from here; delete once index.ts imports the new path. */
export type { ResolveAuth } from "../auth/lazy-resolver.js";
