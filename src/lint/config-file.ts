import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { configError } from "../common/errors.js";
import { DEFAULT_POLICY, parseLintConfig, type ParsedLintConfig } from "./config.js";

/** The names hadolint looks for in a project directory, in its order. */
export const LINT_CONFIG_NAMES = [".hadolint.yaml", ".hadolint.yml"] as const;

export interface FindLintConfigOptions {
  cwd: string;
  /** The project file's directory: `.hadolint.yaml` beside runner-kit.yaml is used. */
  projectDir: string;
  /** `--hadolint-config FILE` (relative to cwd): this file, which must exist. */
  explicit?: string;
  knownRules: readonly string[];
}

/** Read the lint configuration: the explicit file, else `.hadolint.y(a)ml` beside the project file, else none. */
export async function loadLintConfig(options: FindLintConfigOptions): Promise<ParsedLintConfig> {
  if (options.explicit !== undefined) {
    const file = resolve(options.cwd, options.explicit);
    const text = await readText(file);
    if (text === undefined) throw configError("the lint configuration file does not exist", { where: file, hint: "check the path given to --hadolint-config" });
    return parseLintConfig(file, text, options.knownRules);
  }
  for (const name of LINT_CONFIG_NAMES) {
    const file = join(options.projectDir, name);
    const text = await readText(file);
    if (text !== undefined) return parseLintConfig(file, text, options.knownRules);
  }
  return { policy: DEFAULT_POLICY, warnings: [] };
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw configError(`cannot read the lint configuration: ${(error as Error).message}`, { where: file });
  }
}
