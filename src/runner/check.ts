import { stat } from "node:fs/promises";
import { readExisting } from "../common/read-existing.js";
import { join } from "node:path";
import { unifiedDiff } from "../render/diff.js";
import type { OutputFile } from "./assemble.js";

/** How one file `runner-kit config` would write compares with the one on disk. */
export interface FileCheck {
  path: string;
  status: "ok" | "missing" | "differs";
  /** A unified diff, or a sentence for files that hold credentials (their content is never shown). */
  detail?: string;
}

async function readWritten(path: string): Promise<{ text: string; mode: number } | undefined> {
  const text = await readExisting(path);
  return text === undefined ? undefined : { text, mode: (await stat(path)).mode & 0o777 };
}

const octal = (mode: number) => `0${mode.toString(8)}`;

/**
 * `config --check`: each file compared with what is written under `outDir` — content and
 * mode. Nothing is written. A file that holds credentials is compared but its diff is not
 * shown (it would print the secrets).
 */
export async function checkRunnerFiles(outDir: string, files: OutputFile[], show: (path: string) => string): Promise<FileCheck[]> {
  const checks: FileCheck[] = [];
  for (const file of files) {
    const path = join(outDir, file.path);
    const existing = await readWritten(path);
    if (existing === undefined) {
      checks.push({ path: show(path), status: "missing", detail: `${show(path)}: missing` });
      continue;
    }
    const problems: string[] = [];
    if (existing.text !== file.content) {
      problems.push(
        file.sensitive
          ? `${show(path)}: content differs (the file holds credentials, so the difference is not shown)`
          : unifiedDiff(existing.text, file.content, { from: `${show(path)} (written)`, to: `${show(path)} (fresh)` }).trimEnd(),
      );
    }
    if (existing.mode !== file.mode) problems.push(`${show(path)}: mode ${octal(existing.mode)}, expected ${octal(file.mode)}`);
    checks.push(problems.length === 0 ? { path: show(path), status: "ok" } : { path: show(path), status: "differs", detail: problems.join("\n") });
  }
  return checks;
}
