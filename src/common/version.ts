import { readFileSync } from "node:fs";

/** The version of this runner-kit (package.json): `--version`, and what generated jobs and the scaffold pin. */
export function runnerKitVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}
