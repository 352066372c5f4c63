import { fileURLToPath } from "node:url";

/**
 * A path inside the runner-kit package (templates/, smoke/, package.json). This file is
 * two levels below the package root wherever it runs: src/common/ (tests), tsc's
 * dist/common/ (the library), and dist/cli/, where the bundled CLI sits
 * (scripts/bundle-cli.mjs) — so files found from here are found from all three.
 */
export function packagePath(relative: string): string {
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}
