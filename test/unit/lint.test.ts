import { describe, expect, it } from "vitest";
import { loadPlan } from "../../src/project/load.js";
import { lintDockerfile, RULES } from "../../src/lint/lint.js";
import { renderVariant } from "../../src/render/render.js";
import { join } from "node:path";

const ids = (text: string) => lintDockerfile(text).map((f) => `${f.rule}@${f.line}`);

describe("lint rules: each fires on the bad case and not on the good one", () => {
  it("DL3006 untagged base; exempt: $VAR, ${VAR}, scratch, stage names, digests", () => {
    expect(ids("FROM debian\n")).toEqual(["DL3006@1"]);
    const ok = ["ARG B=debian:bookworm", "ARG C=x:1", "FROM $B AS one", "FROM ${C}", "FROM one", "FROM scratch", "FROM debian@sha256:" + "a".repeat(64), "FROM localhost:5000/x:1", ""].join("\n");
    expect(ids(ok)).toEqual([]);
    expect(ids("FROM localhost:5000/x\n")).toEqual(["DL3006@1"]);
  });

  it("DL3007 :latest", () => {
    expect(ids("FROM busybox:latest\n")).toEqual(["DL3007@1"]);
  });

  it("DL3024 duplicate stage names, DL3022 COPY --from an unknown stage", () => {
    expect(ids("FROM a:1 AS x\nFROM b:1 AS X\nCOPY --from=y /a /b\nCOPY --from=x /a /b\nCOPY --from=0 /a /b\nCOPY --from=alpine:3 /a /b\n")).toEqual(["DL3024@2", "DL3022@3"]);
  });

  it("RK002 a # syntax= directive is a warning at its line; a comment that is not a directive is not", () => {
    const findings = lintDockerfile("# syntax=docker/dockerfile:1.7\nFROM busybox:1\n");
    expect(findings.map((f) => `${f.rule}@${f.line}:${f.severity}`)).toEqual(["RK002@1:warning"]);
    expect(findings[0]!.message).toMatch(/pull the Dockerfile frontend image docker\/dockerfile:1\.7/);
    expect(findings[0]!.fix).toMatch(/delete the line/);
    expect(ids("FROM busybox:1\n# syntax=docker/dockerfile:1\nRUN true\n")).toEqual([]);
    expect(ids("# escape=`\nFROM busybox:1\n")).toEqual([]);
  });

  it("DL3009 is satisfied by apt lists in a cache mount (BuildKit), not by a cache mount elsewhere", () => {
    const mount = (target: string) => `FROM d:1\nRUN --mount=type=cache,target=${target},sharing=locked apt-get update && apt-get install -y --no-install-recommends curl\n`;
    expect(ids(mount("/var/lib/apt/lists"))).toEqual([]);
    expect(ids(mount("/var/lib/apt/"))).toEqual([]);
    expect(ids(mount("/var/cache/apt"))).toEqual(["DL3009@2"]);
    expect(ids("FROM d:1\nRUN --mount=type=bind,target=/var/lib/apt/lists apt-get update && apt-get install -y --no-install-recommends curl\n")).toEqual(["DL3009@2"]);
  });

  it("DL3014 -y, DL3015 --no-install-recommends, DL3009 list cleanup (only stages that reach an image)", () => {
    const bad = "FROM d:1\nRUN apt-get update && apt-get install curl\n";
    expect(ids(bad)).toEqual(["DL3009@2", "DL3014@2", "DL3015@2"]);
    const good = "FROM d:1\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*\n";
    expect(ids(good)).toEqual([]);
    // A builder stage that is only copied from keeps its lists without harm.
    expect(ids("FROM d:1 AS build\nRUN apt-get update && apt-get install -qq --no-install-recommends gcc\nFROM d:1\nCOPY --from=build /x /x\n")).toEqual([]);
  });

  it("DL4006 pipes need pipefail, per stage", () => {
    expect(ids("FROM d:1\nRUN curl -fsSL x | tar -x\n")).toEqual(["DL4006@2"]);
    expect(ids('FROM d:1\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN curl x | tar -x\nFROM d:1\nRUN a | b\n')).toEqual(["DL4006@5"]);
    expect(ids("FROM d:1\nRUN a || b && echo 'a|b' \"c|d\"\n")).toEqual([]);
  });

  it("RK001 ARG before declared: FROM, meta ARGs not redeclared, use before ARG in a stage", () => {
    expect(ids("FROM ${BASE}\n")).toEqual(["RK001@1"]);
    expect(ids("ARG V=1\nFROM d:1\nRUN echo $V\n")).toEqual(["RK001@3"]);
    expect(ids("ARG V=1\nFROM d:1\nARG V\nRUN echo ${V:-x}\n")).toEqual([]);
    expect(ids("FROM d:1\nRUN echo $W\nARG W\n")).toEqual(["RK001@2"]);
    expect(ids("FROM d:1\nLABEL v=$NOPE\n")).toEqual(["RK001@2"]);
    expect(ids("FROM d:1\nENV A=1\nLABEL a=$A\nRUN echo $HOME '$V' \\$V $HTTP_PROXY\n")).toEqual([]);
    expect(ids("ARG A=${B}\nARG B=1\nFROM d:1\n")).toEqual(["RK001@1"]);
  });

  it("instruction rules: RK000, DL3020, DL3025, DL4000, DL3064", () => {
    expect(ids("FROM d:1\nRUNN x\n")).toEqual(["RK000@2"]);
    expect(ids("RUN x\n")).toEqual(["RK000@1"]);
    expect(ids("FROM d:1\nADD a.txt /a\nADD https://x/y.tgz /y\nADD rootfs.tar.gz /\n")).toEqual(["DL3020@2"]);
    expect(ids('FROM d:1\nCMD bash\nENTRYPOINT ["x"]\n')).toEqual(["DL3025@2"]);
    expect(ids("FROM d:1\nMAINTAINER me\n")).toEqual(["DL4000@2"]);
    expect(ids("FROM d:1\nARG AWS_SECRET_ACCESS_KEY\nENV GITLAB_TOKEN=x\nARG VERSION\n")).toEqual(["DL3064@2", "DL3064@3"]);
  });

  it("reports the line of the instruction's first line, with a fix; inline ignores work", () => {
    const [finding] = lintDockerfile("FROM d:1\n# a comment\nRUN apt-get update \\\n  # inside\n  && apt-get install -y curl\n");
    expect(finding).toMatchObject({ rule: "DL3009", severity: "error", line: 3, fix: expect.stringContaining("rm -rf /var/lib/apt/lists/*") });
    expect(ids("FROM d:1\n# hadolint ignore=DL3015,DL3009\nRUN apt-get update && apt-get install -y curl\n")).toEqual([]);
    expect(ids("FROM debian\n# runner-kit ignore=DL3006\nFROM debian\n")).toEqual(["DL3006@1"]);
  });

  it("honours the escape directive", () => {
    expect(ids("# escape=`\nFROM d:1\nRUN apt-get update `\n && apt-get install -y --no-install-recommends x `\n && rm -rf /var/lib/apt/lists/*\n")).toEqual([]);
  });

  it("reads the Dockerfile model: RUN flags are not the command, every name of an ARG counts", () => {
    expect(ids("FROM d:1\nRUN --mount=type=cache,target=/var/cache/apt --network=default apt-get install curl\n")).toEqual(["DL3014@2", "DL3015@2"]);
    expect(ids("FROM d:1\nARG VERSION=1 GITLAB_TOKEN\n")).toEqual(["DL3064@2"]);
    expect(ids("FROM d:1 AS a\nFROM d:1\nCOPY --chown=1:1 --from=b /x /x\nCOPY --from=a /x /x\n")).toEqual(["DL3022@3"]);
  });

  it("every rule has an id, a severity and a summary", () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const rule of RULES) expect(rule.summary.length).toBeGreaterThan(5);
  });
});

describe("rendered built-in templates are lint-clean", () => {
  const root = join(import.meta.dirname, "..", "..");
  const cases: [string, string[]][] = [
    ["defaults", []],
    ["credsStore", ["ecr.credsStore=true"]],
    ["official AWS CLI", ["awsCli.install=official"]],
    ["extra packages and labels", ["packages=[jq, curl]", "labels={a.b: c}"]],
  ];
  for (const [name, set] of cases) {
    it(`runner-aws and job-base (${name})`, async () => {
      const plan = await loadPlan({ cwd: root, set });
      for (const variant of plan.variants) expect(lintDockerfile(await renderVariant(variant)), variant.id).toEqual([]);
    });
  }
});
