import { readFile } from "node:fs/promises";

/** A file's content, or undefined when there is none (any other read error is thrown). */
export async function readExisting(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
