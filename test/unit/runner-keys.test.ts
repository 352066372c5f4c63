import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "smol-toml";
import { buildRunnerConfig } from "../../src/runner/assemble.js";
import { MANAGED_KEYS, PASS_THROUGH_KEYS } from "../../src/project/runner-keys.js";
import { parseRunnerSection } from "../../src/runner/parse-section.js";
import { singleInput, twoTeamInput } from "../fixtures/runner/project.js";

/** The keys gitlab-runner decodes, recorded from its source (see the file's "source"). */
const accepted = JSON.parse(readFileSync(join(import.meta.dirname, "../fixtures/runner/gitlab-runner-keys.json"), "utf8")) as {
  source: { commit: string; files: Record<string, string> };
  tables: Record<string, Record<string, string>>;
};

type Table = Record<string, unknown>;

/** Every key in a parsed config.toml that gitlab-runner does not read, as "table.key". */
function unknownKeys(config: Table): string[] {
  const bad: string[] = [];
  const check = (table: string, value: Table) => {
    for (const key of Object.keys(value)) if (!(key in accepted.tables[table]!)) bad.push(`${table}.${key}`);
  };
  check("global", config);
  for (const runner of (config.runners as Table[] | undefined) ?? []) {
    check("runners", runner);
    const docker = runner.docker as Table | undefined;
    if (docker) {
      check("runners.docker", docker);
      for (const service of (docker.services as Table[] | undefined) ?? []) check("runners.docker.services", service);
    }
  }
  return bad;
}

describe("config.toml keys are the ones gitlab-runner reads", () => {
  it("the accepted-key list says where it came from", () => {
    expect(accepted.source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(accepted.source.files["runners.docker"]).toContain("common/config.go");
    expect(Object.keys(accepted.tables.runners!)).toHaveLength(52);
    expect(accepted.tables.runners).toHaveProperty("tls-ca-file");
    expect(accepted.tables["runners.docker"]).toHaveProperty("ipcmode");
    expect(accepted.tables["runners.docker.services"]).toHaveProperty("environment");
    expect(accepted.tables["runners.docker.services"]).not.toHaveProperty("variables");
  });

  for (const table of ["global", "runners", "runners.docker"] as const) {
    it(`every ${table} key runner-kit passes through or manages exists with the same kind`, () => {
      for (const [key, kind] of Object.entries(PASS_THROUGH_KEYS[table])) {
        expect(accepted.tables[table], `${table}.${key}`).toHaveProperty([key]);
        expect(accepted.tables[table]![key], `${table}.${key}`).toBe(kind);
      }
      for (const key of Object.keys(MANAGED_KEYS[table])) expect(accepted.tables[table], `${table}.${key}`).toHaveProperty([key]);
    });
  }

  it("the two-team config.toml and templates use only accepted keys", () => {
    const out = buildRunnerConfig(twoTeamInput());
    for (const file of out.files.filter((f) => f.path.endsWith(".toml"))) {
      expect(unknownKeys(parse(file.content) as Table), file.path).toEqual([]);
    }
  });

  it("a runner using every pass-through key writes only accepted keys", () => {
    const sample: Record<string, unknown> = {
      string: "x",
      integer: 1,
      boolean: true,
      "string[]": ["a"],
      "map<string>": { a: "b" },
      "map<boolean>": { FF_X: true },
      "map<string[]>": { "/dev/x": ["/dev/y"] },
      duration: "15m0s",
      table: { enabled: true },
    };
    const fill = (table: "global" | "runners" | "runners.docker") =>
      Object.fromEntries(Object.entries(PASS_THROUGH_KEYS[table]).map(([key, kind]) => [key, sample[kind]]));
    const runner = parseRunnerSection(
      {
        url: "https://gitlab.example.com",
        services: [{ name: "redis:7", alias: "cache", entrypoint: ["redis-server"], command: ["--save", ""], environment: { A: "1" } }],
        pull_policy: "if-not-present",
        allowed_pull_policies: ["if-not-present"],
        allowed_images: ["*"],
        volumes: ["/var/run/docker.sock:/var/run/docker.sock"],
        privileged: true,
        global: fill("global"),
        options: fill("runners"),
        docker: fill("runners.docker"),
      },
      "test",
    );
    const out = buildRunnerConfig(singleInput({ runner }));
    const config = parse(out.files[0]!.content) as Table;
    expect(unknownKeys(config)).toEqual([]);
    const docker = (config.runners as Table[])[0]!.docker as Table;
    expect(docker.pull_policy).toBe("if-not-present"); // a string stays a string
    expect(docker.ipcmode).toBe("x");
    expect((config.runners as Table[])[0]!["tls-ca-file"]).toBe("x");
    // disable_cache = true: no /cache volume is added, as gitlab-runner register does.
    expect(docker.volumes).toEqual(["/var/run/docker.sock:/var/run/docker.sock"]);
  });
});
