import * as commander from "commander";
import { describe, expect, it } from "vitest";
import { earlyAnswer, earlyQuestion } from "../../src/cli/early-answers.js";
import { firstWidthApart, helpFromModel, helpModelOf } from "../../src/cli/help-model.js";
import { createProgram } from "../../src/cli/program.js";
import { SecretSet } from "../../src/common/secrets.js";
import { runInProcess } from "../support/cli.js";

const sink = { write: () => undefined, isTTY: false };
const program = () => createProgram({ argv: [], env: {}, cwd: process.cwd(), stdout: sink, stderr: sink, secrets: new SecretSet(), signal: new AbortController().signal });
/** The model as the bin holds it: through JSON. */
const modelOf = (p: commander.Command) => JSON.parse(JSON.stringify(helpModelOf(p))) as ReturnType<typeof helpModelOf>;

describe("the bin's early answers", () => {
  it("answers --version and the top-level help alone, and nothing else", () => {
    expect(["--version", "-V"].map((a) => earlyQuestion([a]))).toEqual(["version", "version"]);
    expect([[], ["--help"], ["-h"], ["help"]].map((argv) => earlyQuestion(argv))).toEqual(["help", "help", "help", "help"]);
    for (const argv of [["build"], ["--version", "--debug"], ["-q", "--version"], ["help", "build"], ["build", "--help"], ["--config", "x.yaml", "--help"], ["-Vq"]]) {
      expect(earlyQuestion(argv), argv.join(" ")).toBeUndefined();
    }
  });

  it("prints what the full CLI prints", async () => {
    const json = JSON.stringify(helpModelOf(program()));
    for (const argv of [["--version"], ["-V"], ["--help"], ["-h"], ["help"], []]) {
      const full = await runInProcess(argv);
      expect(full.code).toBe(0);
      expect(await earlyAnswer(argv, json), argv.join(" ")).toBe(full.stdout);
    }
    expect(await earlyAnswer(["--help"], undefined)).toBeUndefined();
    expect(await earlyAnswer(["render"], json)).toBeUndefined();
  });

  it("holds the help model to the program's help at every terminal width", () => {
    const real = program();
    const model = modelOf(real);
    expect(firstWidthApart(real, model, commander)).toBeNull();
    expect(model.after).toContain("Quick start:");
    expect(helpFromModel(model, commander)).toContain("  build [options] [image...]");
  });

  it("finds a program whose help the model cannot print", () => {
    // Sorted commands: a help setting the model does not carry.
    const sorted = program().configureHelp({ sortSubcommands: true });
    expect(firstWidthApart(sorted, modelOf(sorted), commander)).toBeUndefined();
    // A description changed after the model was taken.
    const changed = program();
    const model = modelOf(changed);
    changed.description(`${changed.description()} And more.`);
    expect(firstWidthApart(changed, model, commander)).toBeUndefined();
  });
});
