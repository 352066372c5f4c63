import { relative } from "node:path";
import { print, printJson, say, type CliContext } from "../common/context.js";
import { configError, failure } from "../common/errors.js";
import { loadPlan } from "../project/load.js";
import { lintDockerfile, type Finding } from "./lint.js";
import { readExisting } from "../render/output.js";

export interface LintCommandOptions {
  config?: string;
  images?: string[];
  team?: string;
  json?: boolean;
}

/** `runner-kit lint`: lint the rendered Dockerfile of every selected variant; exit 1 on errors. */
export async function runLint(ctx: CliContext, options: LintCommandOptions): Promise<void> {
  const plan = await loadPlan({ cwd: ctx.cwd, configFile: options.config, team: options.team, images: options.images });
  const files: { id: string; file: string; findings: Finding[] }[] = [];
  for (const variant of plan.variants) {
    const file = relative(ctx.cwd, variant.dockerfile) || variant.dockerfile;
    const text = await readExisting(variant.dockerfile);
    if (text === undefined) {
      throw configError(`${variant.id} has no rendered Dockerfile yet`, { where: file, hint: "run `runner-kit render` first" });
    }
    files.push({ id: variant.id, file, findings: lintDockerfile(text) });
  }
  const all = files.flatMap((f) => f.findings.map((finding) => ({ ...finding, file: f.file })));
  const errors = all.filter((f) => f.severity === "error").length;
  const warnings = all.length - errors;
  if (options.json) {
    printJson(ctx, { ok: errors === 0, errors, warnings, files });
  } else {
    for (const f of all) print(ctx, `${f.file}:${f.line}: ${f.severity} ${f.rule}: ${f.message}. Fix: ${f.fix}.`);
    say(ctx, `linted ${files.length} Dockerfile(s): ${errors} error(s), ${warnings} warning(s)`);
  }
  if (errors > 0) {
    throw failure(`lint found ${errors} error(s) in ${new Set(all.filter((f) => f.severity === "error").map((f) => f.file)).size} Dockerfile(s)`, {
      hint: "fix the templates (or values) and run `runner-kit render` again; rule ids are explained in the README",
    });
  }
}
