import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Writes `files` (path relative to `dir` → content) into a temporary project, creating folders. */
export function writeProjectFiles(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** One file; a shorthand for tests that write files one at a time. */
export function writeProjectFile(dir: string, path: string, content: string): void {
  writeProjectFiles(dir, { [path]: content });
}
