/**
 * The `ci` command's one entry: without --run it writes the pipeline (runCi); with
 * `--run FILE` it runs that file; with `--run` alone it writes the project's pipeline and
 * runs it. The run-only flags without --run are a usage error.
 */
import type { CliContext } from "../../common/context.js";
import { usageError } from "../../common/errors.js";
import type { CiOptions } from "../command.js";
import type { PipelineRunOptions } from "./command.js";

export interface CiCommandOptions extends CiOptions, Omit<PipelineRunOptions, "file"> {
  run?: string | boolean;
}

const RUN_ONLY = { jobs: "--jobs", runnerConfig: "--runner-config", runner: "--runner", emulatePrivileged: "--emulate-privileged", artifactsDir: "--artifacts-dir", junit: "--junit" } as const;

export async function runCiCommand(ctx: CliContext, options: CiCommandOptions): Promise<void> {
  if (options.run === undefined || options.run === false) {
    const given: string[] = Object.entries(RUN_ONLY).filter(([key]) => options[key as keyof typeof RUN_ONLY] !== undefined).map(([, flag]) => flag);
    if ((options.variable ?? []).length > 0) given.push("--variable");
    if (given.length > 0) throw usageError(`${given.join(", ")} only go with --run`, { hint: "add --run to run the pipeline here" });
    const { runCi } = await import("../command.js");
    await runCi(ctx, options);
    return;
  }
  // The generator (templates, Handlebars, the plan) loads only when there is a pipeline to write.
  const file = typeof options.run === "string" ? options.run : (await (await import("../command.js")).runCi(ctx, options)).file;
  const { runPipeline } = await import("./command.js");
  await runPipeline(ctx, { ...options, file });
}
