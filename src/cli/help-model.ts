/**
 * The top-level `--help` as data, so the bin can print it without loading the CLI bundle
 * (src/cli/early-answers.ts). `npm run build` takes the model from the real commander tree
 * (scripts/bundle-cli.mjs), checks that commander prints the same text from the model as
 * from the tree at every terminal width, and writes it into `dist/cli/main.js`. At run
 * time commander itself lays the model out, so the width wrapping is commander's own.
 * The model holds only what the top-level help shows of each command: its name, aliases,
 * summary, description, arguments and options.
 */
import type * as commanderModule from "commander";
import type { Argument, Command, Option } from "commander";

type Commander = Pick<typeof commanderModule, "Command" | "Option" | "Argument">;

/** The option fields commander's help reads besides the flags and description. */
const OPTION_FIELDS = ["defaultValue", "defaultValueDescription", "argChoices", "presetArg", "envVar", "hidden", "mandatory", "helpGroupHeading"] as const;

export interface OptionModel {
  flags: string;
  description: string;
  fields: Record<string, unknown>;
}

export interface CommandModel {
  name: string;
  aliases: string[];
  summary: string;
  description: string;
  hidden: boolean;
  helpGroup: string;
  /** Each as its usage term (`<fragment...>`, `[dir]`) with description and default. */
  arguments: Array<{ term: string; description: string; defaultValue?: unknown }>;
  options: OptionModel[];
}

export interface HelpModel {
  program: CommandModel;
  commands: CommandModel[];
  /** Text the program prints before and after the help proper (`addHelpText`). */
  before: string;
  after: string;
}

function optionModel(option: Option): OptionModel {
  const fields: Record<string, unknown> = {};
  for (const key of OPTION_FIELDS) if (option[key] !== undefined) fields[key] = option[key];
  return { flags: option.flags, description: option.description, fields };
}

const argumentTerm = (arg: Argument) => (arg.required ? `<${arg.name()}${arg.variadic ? "..." : ""}>` : `[${arg.name()}${arg.variadic ? "..." : ""}]`);

function commandModel(command: Command): CommandModel {
  return {
    name: command.name(),
    aliases: command.aliases(),
    summary: command.summary(),
    description: command.description(),
    hidden: (command as unknown as { _hidden?: boolean })._hidden === true,
    helpGroup: command.helpGroup(),
    arguments: command.registeredArguments.map((arg) => ({ term: argumentTerm(arg), description: arg.description, defaultValue: arg.defaultValue })),
    options: command.options.map(optionModel),
  };
}

/** The model of `program`'s own help; `before`/`after` are found by printing it once. */
export function helpModelOf(program: Command): HelpModel {
  const full = printedHelp(program, 80);
  const proper = atWidth(program, 80, () => program.helpInformation());
  const at = full.indexOf(proper);
  if (at < 0) throw new Error("the program's help does not contain its helpInformation()");
  return { program: commandModel(program), commands: program.commands.map(commandModel), before: full.slice(0, at), after: full.slice(at + proper.length) };
}

function withModel<T extends Command>(command: T, model: CommandModel, commander: Commander): T {
  command.description(model.description).summary(model.summary).aliases(model.aliases);
  if (model.helpGroup !== "") command.helpGroup(model.helpGroup);
  for (const arg of model.arguments) command.addArgument(new commander.Argument(arg.term, arg.description).default(arg.defaultValue));
  for (const o of model.options) command.addOption(Object.assign(new commander.Option(o.flags, o.description), o.fields));
  return command;
}

/** A commander tree that prints the help the model was taken from (and can do nothing else). */
export function programFromModel(model: HelpModel, commander: Commander): Command {
  const program = withModel(new commander.Command(model.program.name), model.program, commander);
  for (const sub of model.commands) program.addCommand(withModel(new commander.Command(sub.name), sub, commander), { hidden: sub.hidden });
  return program;
}

/** `run` with `program` writing to `out` as if on a terminal `width` columns wide (undefined: not a terminal). */
function atWidth<T>(program: Command, width: number | undefined, run: () => T, out?: (s: string) => void): T {
  const saved = program.configureOutput();
  // Off a terminal commander's own getOutHelpWidth returns undefined, as this one may.
  program.configureOutput({ ...saved, getOutHelpWidth: (() => width) as () => number, ...(out ? { writeOut: out } : {}) });
  try {
    return run();
  } finally {
    program.configureOutput(saved);
  }
}

/** The help text `program` prints (`outputHelp`), as one string, at the terminal `width`. */
function printedHelp(program: Command, width: number | undefined): string {
  let text = "";
  atWidth(program, width, () => program.outputHelp(), (s) => void (text += s));
  return text;
}

/** The help printed from the model as `program.outputHelp()` prints it, in one string (process.stdout's width). */
export function helpFromModel(model: HelpModel, commander: Commander): string {
  return model.before + programFromModel(model, commander).helpInformation() + model.after;
}

/**
 * The first terminal width (undefined: not a terminal) at which the model prints other help
 * than `program`, or null when they agree at all of them: 1–300 columns and none.
 */
export function firstWidthApart(program: Command, model: HelpModel, commander: Commander): number | undefined | null {
  const copy = programFromModel(model, commander);
  for (const width of [undefined, ...Array.from({ length: 300 }, (_, i) => i + 1)]) {
    if (model.before + atWidth(copy, width, () => copy.helpInformation()) + model.after !== printedHelp(program, width)) return width;
  }
  return null;
}
