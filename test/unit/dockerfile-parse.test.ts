import { describe, expect, it } from "vitest";
import { parserDirectives, splitDirectives } from "../../src/dockerfile/directives.js";
import { withLabelInstruction } from "../../src/dockerfile/labels.js";
import { parseDockerfile } from "../../src/dockerfile/parse.js";
import { expandVariables, instructionWords, splitWords } from "../../src/dockerfile/words.js";

const brief = (text: string) => parseDockerfile(text).instructions.map((i) => ({ keyword: i.keyword, args: i.args, line: i.line, endLine: i.endLine }));

describe("parseDockerfile", () => {
  it("joins continued lines as Docker does and keeps the keyword's line and the last line", () => {
    expect(brief("FROM d:1\nRUN a \\\n  && b\\  \n  && c\n\ncmd [\"x\"]\n")).toEqual([
      { keyword: "FROM", args: "d:1", line: 1, endLine: 1 },
      { keyword: "RUN", args: "a   && b  && c", line: 2, endLine: 4 },
      { keyword: "CMD", args: '["x"]', line: 6, endLine: 6 },
    ]);
  });

  it("drops comment and empty lines inside a continuation; comments above an instruction stay with it", () => {
    const file = parseDockerfile("FROM d:1\n# one\n  # two\nRUN a \\\n# inside\n\n    b\nRUN c\n");
    expect(file.instructions.map((i) => [i.args, i.line, i.endLine, i.comments])).toEqual([
      ["d:1", 1, 1, []],
      ["a     b", 4, 7, ["# one", "# two"]],
      ["c", 8, 8, []],
    ]);
  });

  it("honours the escape directive: a backtick continues lines and a backslash is an ordinary character", () => {
    const file = parseDockerfile("# escape=`\nFROM d:1\nRUN dir C:\\ `\n  && echo x\nCOPY a\\ b\n");
    expect(file.escape).toBe("`");
    expect(file.directives).toEqual([{ name: "escape", value: "`", line: 1 }]);
    expect(brief(file.text).slice(1)).toEqual([
      { keyword: "RUN", args: "dir C:\\   && echo x", line: 3, endLine: 4 },
      { keyword: "COPY", args: "a\\ b", line: 5, endLine: 5 },
    ]);
    // Without the directive the backslash continues and the backtick does not.
    expect(brief("FROM d:1\nRUN a `\nRUN b\n").map((i) => i.args)).toEqual(["d:1", "a `", "b"]);
  });

  it("reads leading flags of any instruction: RUN --mount/--network/--security, FROM --platform, COPY --from", () => {
    const file = parseDockerfile(
      [
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS build",
        'RUN --mount=type=cache,target=/root/.cache --network=none --security=insecure go build -o "/out x" ./...',
        "COPY --from=build --chown=1000:1000 --link /out /bin/app",
        "RUN -- --weird-arg",
      ].join("\n"),
    );
    const [from, run, copy, odd] = file.instructions;
    expect(from!.flags).toEqual([{ name: "platform", value: "$BUILDPLATFORM" }]);
    expect(from!.args).toBe("golang:1.22 AS build");
    expect(file.stages[0]).toMatchObject({ name: "build", base: "golang:1.22", platform: "$BUILDPLATFORM" });
    expect(run!.flags).toEqual([
      { name: "mount", value: "type=cache,target=/root/.cache" },
      { name: "network", value: "none" },
      { name: "security", value: "insecure" },
    ]);
    expect(run!.args).toBe('go build -o "/out x" ./...');
    expect(copy!.flags).toEqual([{ name: "from", value: "build" }, { name: "chown", value: "1000:1000" }, { name: "link" }]);
    expect(odd!.flags).toEqual([]);
    expect(odd!.args).toBe("--weird-arg");
  });

  it("splits stages: global ARGs before the first FROM, stage names lower-cased, instructions per stage", () => {
    const file = parseDockerfile("ARG A=1 B=2\nFROM d:1 AS Build\nRUN x\nFROM build\nRUN y\n");
    expect(file.preamble.map((i) => i.keyword)).toEqual(["ARG"]);
    expect(file.stages.map((s) => [s.index, s.name, s.base, s.instructions.map((i) => i.args)])).toEqual([
      [0, "build", "d:1", ["x"]],
      [1, undefined, "build", ["y"]],
    ]);
  });

  it("reads CRLF line endings and a byte-order mark", () => {
    const file = parseDockerfile("\uFEFF# escape=`\r\nFROM d:1\r\nRUN a `\r\n b\r\n");
    expect(file.escape).toBe("`");
    expect(brief(file.text)).toEqual([
      { keyword: "FROM", args: "d:1", line: 2, endLine: 2 },
      { keyword: "RUN", args: "a  b", line: 3, endLine: 4 },
    ]);
  });
});

describe("parser directives", () => {
  it("are only the leading lines: a blank line, another comment, an unknown or repeated directive ends them", () => {
    const names = (text: string) => parserDirectives(text.split("\n")).map((d) => `${d.name}=${d.value}`);
    expect(names("# syntax=docker/dockerfile:1\n#check=skip=all\n  # ESCAPE = `\nFROM d:1")).toEqual(["syntax=docker/dockerfile:1", "check=skip=all", "escape=`"]);
    expect(names("\n# escape=`\nFROM d:1")).toEqual([]);
    expect(names("# a comment\n# escape=`\nFROM d:1")).toEqual([]);
    expect(names("# unknown=x\n# escape=`\nFROM d:1")).toEqual([]);
    expect(names("# escape=`\n# escape=\\\nFROM d:1")).toEqual(["escape=`"]);
    expect(parseDockerfile("# a comment\n# escape=`\nFROM d:1\nRUN a `\n").escape).toBe("\\");
  });

  it("split off the head of a text", () => {
    expect(splitDirectives("# escape=`\n# syntax=x\nFROM d:1\n")).toEqual({ head: "# escape=`\n# syntax=x\n", body: "FROM d:1\n" });
    expect(splitDirectives("FROM d:1\n")).toEqual({ head: "", body: "FROM d:1\n" });
  });
});

describe("words", () => {
  it("keep quotes when split and lose them when read; the escape character is the directive's", () => {
    expect(splitWords(`A="x y" B='p q' C=a\\ b`)).toEqual([`A="x y"`, `B='p q'`, "C=a\\ b"]);
    expect(instructionWords("A=a` b B=c\\d", "`")).toEqual(["A=a b", "B=c\\d"]);
    expect(instructionWords('A="a\\b \\" \\$"')).toEqual(['A=a\\b " $']);
  });

  it("expand $NAME and ${NAME} with Docker's -, +, :- and :+ operators, not in single quotes or after an escape", () => {
    const values: Record<string, string> = { SET: "s", EMPTY: "" };
    const lookup = (n: string) => values[n];
    expect(instructionWords("$SET ${SET} '$SET' \"$SET\" \\$SET x${UNSET}y", "\\", lookup)).toEqual(["s", "s", "$SET", "s", "$SET", "xy"]);
    expect(expandVariables("${EMPTY:-d} ${EMPTY-d} ${UNSET-d} ${SET:+a} ${EMPTY:+a} ${EMPTY+a} ${UNSET:-${SET}}", "\\", lookup)).toBe("d  d a  a s");
  });
});

describe("withLabelInstruction in a backtick-escaped Dockerfile", () => {
  it("continues with backticks and escapes with them, so the labels read back as written", () => {
    const text = "# escape=`\nFROM d:1\nRUN a `\n  && b\n";
    const labels = { "io.runner-kit.variant": 'a"b $HOME c\\d `e' };
    const out = withLabelInstruction(parseDockerfile(text), { ...labels, k: "v" });
    expect(out).toBe(`${text}LABEL "io.runner-kit.variant"="a\`"b \`$HOME c\\d \`\`e" \`\n      "k"="v"\n`);
    const label = parseDockerfile(out).instructions.at(-1)!;
    expect(label.line).toBe(5);
    expect(instructionWords(label.args, "`")).toEqual([`io.runner-kit.variant=${labels["io.runner-kit.variant"]}`, "k=v"]);
  });
});
