import { readdir, readFile } from "node:fs/promises";
import { compileFile, type CompiledFile } from "./environment.js";

/**
 * Reads and compiles template files once per store. A store lives for one command (or
 * one benchmark), so rendering 500 variants compiles each file once and a later command
 * always sees the files as they are now.
 */
export class TemplateStore {
  private readonly texts = new Map<string, Promise<string | undefined>>();
  private readonly listings = new Map<string, Promise<string[]>>();
  private readonly compiled = new Map<string, Promise<CompiledFile>>();
  private readonly memos = new Map<string, Promise<unknown>>();

  /** Any other derived result, computed once per key (e.g. a template's merged defaults). */
  memo<T>(key: string, compute: () => Promise<T>): Promise<T> {
    let found = this.memos.get(key) as Promise<T> | undefined;
    if (!found) {
      found = compute();
      this.memos.set(key, found);
    }
    return found;
  }

  /** File text, or undefined when the file does not exist. */
  text(path: string): Promise<string | undefined> {
    let found = this.texts.get(path);
    if (!found) {
      found = readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT" || error.code === "ENOTDIR") return undefined;
        throw error;
      });
      this.texts.set(path, found);
    }
    return found;
  }

  /** Sorted entry names of a directory; empty when it does not exist. */
  list(dir: string): Promise<string[]> {
    let found = this.listings.get(dir);
    if (!found) {
      found = readdir(dir)
        .then((names) => names.sort())
        .catch((error: NodeJS.ErrnoException) => {
          if (error.code === "ENOENT" || error.code === "ENOTDIR") return [];
          throw error;
        });
      this.listings.set(dir, found);
    }
    return found;
  }

  /** The compiled template of an existing file. */
  compile(path: string): Promise<CompiledFile> {
    let found = this.compiled.get(path);
    if (!found) {
      found = this.text(path).then((text) => compileFile(path, text ?? ""));
      this.compiled.set(path, found);
    }
    return found;
  }
}
