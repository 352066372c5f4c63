import { access } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { say, type CliContext } from "../common/context.js";
import { configError } from "../common/errors.js";
import { writeFileAtomic } from "../common/atomic-write.js";
import { runnerKitVersion } from "../common/version.js";
import { scaffoldFiles } from "./scaffold.js";

export interface InitCommandOptions {
  dir?: string;
  force?: boolean;
}

/** `runner-kit init [dir]`: write the scaffold; never overwrite a file unless --force. */
export async function runInit(ctx: CliContext, options: InitCommandOptions): Promise<void> {
  const root = resolve(ctx.cwd, options.dir ?? ".");
  const files = scaffoldFiles(runnerKitVersion());
  const existing: string[] = [];
  for (const path of Object.keys(files)) {
    if (await access(join(root, path)).then(() => true, () => false)) existing.push(path);
  }
  if (existing.length > 0 && !options.force) {
    throw configError(`${existing.join(", ")} already exist${existing.length === 1 ? "s" : ""}; nothing was written`, {
      where: root,
      hint: "run init in an empty directory, or pass --force to overwrite these files",
    });
  }
  for (const [path, text] of Object.entries(files)) {
    await writeFileAtomic(join(root, path), text);
    say(ctx, `created ${relative(ctx.cwd, join(root, path))}`);
  }
  const cd = relative(ctx.cwd, root);
  say(ctx, `\nNext:\n${cd ? `  cd ${cd}\n` : ""}  runner-kit render && runner-kit lint\n  runner-kit build --smoke\n  runner-kit ci --out child-pipeline.yml   # what the pipeline in .gitlab-ci.yml runs`);
}
