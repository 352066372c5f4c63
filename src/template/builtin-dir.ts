import { fileURLToPath } from "node:url";

/**
 * The built-in templates/ directory shipped with the package. This file lives in
 * src/template/ (tests, tsx) or dist/template/ (the built package); both are two levels
 * below the package root, where templates/ is.
 */
export function builtinTemplatesDir(): string {
  return fileURLToPath(new URL("../../templates", import.meta.url));
}
