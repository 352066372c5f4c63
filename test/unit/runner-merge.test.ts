import { describe, expect, it } from "vitest";
import { mergeSections } from "../../src/runner/merge.js";
import { parseRunnerSection } from "../../src/runner/parse-section.js";

describe("a team's runner section over the top-level one", () => {
  const base = parseRunnerSection(
    {
      url: "https://gitlab.example.com",
      environment: { A: "1", B: "2" },
      volumes: ["/a"],
      docker: { shm_size: 1, ipcmode: "private" },
      registries: [
        { host: "r1.example.com", username: "u1", password_env: "P1" },
        { host: "r2.example.com", username: "u2", password_env: "P2" },
      ],
      config_json: { ecr: ["123456789012.dkr.ecr.eu-west-1.amazonaws.com"], cred_helpers: { "g.example.com": "gcloud" } },
    },
    "t",
  );
  const team = parseRunnerSection(
    {
      environment: { B: "team" },
      volumes: ["/b"],
      docker: { shm_size: 2 },
      registries: [{ host: "R2.example.com", username: "team", password_env: "PT" }],
      config_json: { ecr: ["210987654321.dkr.ecr.us-east-1.amazonaws.com"], creds_store: "pass" },
    },
    "t",
  );
  const merged = mergeSections(base, "runner-kit.yaml: runner", team, "runner-kit.yaml: teams.data.runner");

  it("merges mappings key by key, the team winning, and replaces lists", () => {
    expect(merged.section.url).toBe("https://gitlab.example.com");
    expect(merged.section.environment).toEqual({ A: "1", B: "team" });
    expect(merged.section.docker).toEqual({ shm_size: 2, ipcmode: "private" });
    expect(merged.section.volumes).toEqual(["/b"]);
  });

  it("merges registries by host (case-insensitively) and remembers where each was written", () => {
    expect(merged.registries.map((r) => [r.registry.username, r.where])).toEqual([
      ["u1", "runner-kit.yaml: runner.registries[0]"],
      ["team", "runner-kit.yaml: teams.data.runner.registries[0]"],
    ]);
  });

  it("adds up ECR hosts and merges helpers", () => {
    expect(merged.section.config_json).toEqual({
      ecr: ["123456789012.dkr.ecr.eu-west-1.amazonaws.com", "210987654321.dkr.ecr.us-east-1.amazonaws.com"],
      cred_helpers: { "g.example.com": "gcloud" },
      creds_store: "pass",
    });
  });

  it("leaves a top-level section alone when the team has none", () => {
    const alone = mergeSections(base, "a", undefined, "b");
    expect(alone.section.volumes).toEqual(["/a"]);
    expect(alone.registries).toHaveLength(2);
  });
});
