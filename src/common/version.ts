import { readFileSync } from "node:fs";
import { packagePath } from "./package-root.js";

/** The version of this runner-kit (package.json): `--version`, and what generated jobs and the scaffold pin. */
export function runnerKitVersion(): string {
  const pkg = JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as { version: string };
  return pkg.version;
}
