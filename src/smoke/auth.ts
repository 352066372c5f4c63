/** Old path of registryAuthResolver (now in setup.ts), kept only because src/index.ts imports it from here; delete once index.ts imports the new path. */
export { registryAuthResolver } from "./setup.js";
