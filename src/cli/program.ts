import { runnerKitVersion } from "../common/version.js";
import { Command, CommanderError } from "commander";
import { abortSignalName, describeError, ExitCode, isRunnerKitError, signalExitCode } from "../common/errors.js";
import type { CliContext } from "../common/context.js";
import { buildCommand } from "./build.js";
import { ciCommand } from "./ci.js";
import { configCommand } from "./config.js";
import { doctorCommand } from "./doctor.js";
import { initCommand } from "./init.js";
import { lintCommand } from "./lint.js";
import { lockCommand } from "./lock.js";
import { renderCommand } from "./render.js";
import { schemaCommand } from "./schema.js";
import { smokeCommand } from "./smoke.js";

/** The commander tree. Command files import only commander; work is loaded on demand. */
export function createProgram(ctx: CliContext): Command {
  const program = new Command("runner-kit")
    .description("Render, build, push, configure and smoke-test GitLab Runner Docker-executor images from runner-kit.yaml.")
    .version(runnerKitVersion(), "-V, --version")
    .option("-c, --config <file>", "project file", "runner-kit.yaml")
    .option("--debug", "show stack traces and Docker API details")
    .option("-q, --quiet", "print only errors and results")
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      outputError: (s, write) => write(s.startsWith("error:") ? `runner-kit: ${s.slice("error: ".length)}` : s),
    })
    .exitOverride()
    .addHelpText(
      "after",
      "\nQuick start:\n  $ runner-kit init my-images && cd my-images\n  $ runner-kit render && runner-kit lint\n  $ runner-kit build --push --smoke\n  $ runner-kit config --out runner/\n\nExit codes: 0 success, 1 a build, push or job failed, 2 usage or configuration error, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).\n",
    );

  for (const make of [initCommand, renderCommand, lintCommand, buildCommand, configCommand, smokeCommand, ciCommand, lockCommand, schemaCommand, doctorCommand]) {
    const command = make(ctx);
    configureTree(command, program);
    program.addCommand(command);
  }
  return program;
}

/** Our exit codes and output sinks for a command and every subcommand below it. */
function configureTree(command: Command, root: Command): void {
  command.exitOverride().configureOutput(root.configureOutput()).showSuggestionAfterError(true);
  for (const sub of command.commands) configureTree(sub, root);
}

/** Run the CLI in-process; resolves to the exit code. Never throws. */
export async function runCli(ctx: CliContext): Promise<number> {
  const program = createProgram(ctx);
  const debug = ctx.argv.includes("--debug");
  try {
    if (ctx.argv.length === 0) {
      program.outputHelp();
      return ExitCode.ok;
    }
    await program.parseAsync(ctx.argv, { from: "user" });
    return ctx.signal.aborted ? signalExitCode(abortSignalName(ctx.signal)) : ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") {
        return ExitCode.ok;
      }
      return ExitCode.usage;
    }
    if (ctx.signal.aborted && !(isRunnerKitError(error) && error.kind !== "interrupted")) {
      const signal = abortSignalName(ctx.signal);
      ctx.stderr.write(`runner-kit: ${signal === "SIGTERM" ? "terminated" : "interrupted"}; resources created by this run were removed.\n`);
      return signalExitCode(signal);
    }
    const { text, exitCode } = describeError(error, debug);
    ctx.stderr.write(`${ctx.secrets.redact(text)}\n`);
    return exitCode;
  }
}
