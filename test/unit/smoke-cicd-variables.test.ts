import { describe, expect, it } from "vitest";
import { SecretSet } from "../../src/common/secrets.js";
import { cicdVariables, parseEnvFile, variableFlag } from "../../src/smoke/job/cicd-variables.js";
import { planJob } from "../../src/smoke/executor/plan.js";
import { parseJob } from "../../src/smoke/job/parse.js";
import { thrown } from "../support/thrown.js";


describe("--variable KEY[=VALUE]", () => {
  it("takes the value after the first =, which may be empty or hold more =", () => {
    expect(variableFlag("A=b=c", {})).toEqual(["A", "b=c"]);
    expect(variableFlag("EMPTY=", {})).toEqual(["EMPTY", ""]);
  });

  it("takes KEY's value from the environment when there is no =, and says so when it is unset", () => {
    expect(variableFlag("HOME_DIR", { HOME_DIR: "/root" })).toEqual(["HOME_DIR", "/root"]);
    const e = thrown(() => variableFlag("NOPE", {}));
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe("--variable NOPE takes its value from the environment, but NOPE is not set");
  });

  it("refuses a name that is not a variable name, without echoing the value", () => {
    const e = thrown(() => variableFlag("1BAD=secret-value", {}));
    expect(e.exitCode).toBe(2);
    expect(e.message).not.toContain("secret-value");
  });
});

describe("--env-file (dotenv)", () => {
  it("reads KEY=VALUE lines: export, comments, quotes, escapes; a later line wins", () => {
    const { values, masked } = parseEnvFile(
      [
        "# a comment",
        "",
        "PLAIN = some value  # trailing comment",
        "export EXPORTED=yes",
        "SINGLE='$NOT_EXPANDED # kept'",
        'DOUBLE="line1\\nline2 \\"q\\""',
        "URL=http://x/#frag",
        "API_KEY=abc # masked",
        "PLAIN=second",
      ].join("\n"),
      ".env",
    );
    expect(values).toEqual({
      PLAIN: "second", EXPORTED: "yes", SINGLE: "$NOT_EXPANDED # kept", DOUBLE: 'line1\nline2 "q"', URL: "http://x/#frag", API_KEY: "abc",
    });
    expect(masked).toEqual(["API_KEY"]);
  });

  it("names the file, line and column of a bad line", () => {
    const e = thrown(() => parseEnvFile("A=1\n  no-equals-here\n", "ci.env"));
    expect(e.exitCode).toBe(2);
    expect(e.where).toEqual({ file: "ci.env", line: 2, column: 3 });
    const q = thrown(() => parseEnvFile('A=1\nB="open\n', "ci.env"));
    expect(q.where).toEqual({ file: "ci.env", line: 2, column: 3 });
    expect(q.message).toContain("double quote is never closed");
    const n = thrown(() => parseEnvFile("export 9X=1\n", "ci.env"));
    expect(n.where).toEqual({ file: "ci.env", line: 1, column: 8 });
  });
});

describe("the run's CI/CD variables", () => {
  it("puts --variable over the env file, and masks secret-looking names and lines marked masked", () => {
    const envFile = parseEnvFile("A=file\nB=file\nPLAIN_MASKED=x1y2z3 # masked\n", ".env");
    const c = cicdVariables({ envFile, flags: ["B=flag", "DEPLOY_TOKEN=t0ken-value", "DB_PASSWORD"], env: { DB_PASSWORD: "hunter22" } });
    expect(c.values).toEqual({ A: "file", B: "flag", PLAIN_MASKED: "x1y2z3", DEPLOY_TOKEN: "t0ken-value", DB_PASSWORD: "hunter22" });
    expect(c.masked.sort()).toEqual(["DB_PASSWORD", "DEPLOY_TOKEN", "PLAIN_MASKED"]);
    const secrets = new SecretSet();
    for (const name of c.masked) secrets.add(c.values[name]);
    expect(secrets.redact("t0ken-value hunter22 x1y2z3 file")).toBe("[redacted] [redacted] [redacted] file");
  });

  it("rank above the job file's variables (global and job), as project settings do in GitLab", () => {
    const job = parseJob('variables: { A: global, B: global }\njob: { image: x, script: [echo], variables: { B: job, C: "$A-$B" } }\n', { file: "ci.yml" });
    const plan = planJob({ job, projectPath: "l/a", networkName: "n", jobId: "1", hostname: "h", cicdVariables: { A: "cli" } });
    expect([plan.variables.A, plan.variables.B, plan.variables.C]).toEqual(["cli", "job", "cli-job"]);
  });
});
