import { packagePath } from "../common/package-root.js";

/** The built-in templates/ directory shipped with the package. */
export function builtinTemplatesDir(): string {
  return packagePath("templates");
}
