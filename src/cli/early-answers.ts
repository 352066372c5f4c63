/**
 * What the bin answers before it loads the CLI bundle: `--version` (`-V`) and the top-level
 * help (`--help`, `-h`, `help`, no arguments), each alone on the command line. Reading and
 * deserializing the 2.6 MB bundle was most of what `runner-kit --version` cost. The text is
 * byte for byte the full CLI's: the version from package.json as `runnerKitVersion()` reads
 * it, and the help from the model `npm run build` took from the commander tree and checked
 * (help-model.ts), laid out by commander at this terminal's width. Anything else, and the
 * help when the bin was built without a model, is the full CLI's to answer.
 */
import { runnerKitVersion } from "../common/version.js";
import { helpFromModel, type HelpModel } from "./help-model.js";

export type EarlyQuestion = "version" | "help";

/** The question argv asks when it is one the bin answers early. */
export function earlyQuestion(argv: readonly string[]): EarlyQuestion | undefined {
  if (argv.length === 0) return "help";
  if (argv.length > 1) return undefined;
  if (argv[0] === "--version" || argv[0] === "-V") return "version";
  if (argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") return "help";
  return undefined;
}

/**
 * The text to print on stdout for argv, or undefined when the full CLI must answer.
 * `helpModel` is the help's model as JSON (read only when the help is asked for).
 */
export async function earlyAnswer(argv: readonly string[], helpModel: string | undefined): Promise<string | undefined> {
  const question = earlyQuestion(argv);
  if (question === "version") return `${runnerKitVersion()}\n`;
  // commander from node_modules, on this path only: the rest of the bin has it in the bundle.
  if (question === "help" && helpModel !== undefined) return helpFromModel(JSON.parse(helpModel) as HelpModel, await import("commander"));
  return undefined;
}
