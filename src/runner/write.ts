import { join } from "node:path";
import { writeFileAtomic } from "../common/atomic-write.js";
import type { OutputFile } from "./assemble.js";

/** Write the files of a RunnerConfigOutput under `outDir`, each atomically with its mode. */
export async function writeRunnerFiles(outDir: string, files: OutputFile[]): Promise<string[]> {
  const written: string[] = [];
  for (const file of files) {
    const path = join(outDir, file.path);
    await writeFileAtomic(path, file.content, { mode: file.mode });
    written.push(path);
  }
  return written;
}
