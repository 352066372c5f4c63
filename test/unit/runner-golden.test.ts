import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "smol-toml";
import { buildRunnerConfig } from "../../src/runner/assemble.js";
import { TWO_TEAM_DIR, twoTeamInput } from "../fixtures/runner/project.js";

/**
 * The two-team project of test/fixtures/runner/two-team/runner-kit.yaml against the golden
 * files beside it. UPDATE_GOLDEN=1 rewrites them (review the diff before committing).
 */
describe("runner config golden files (two teams)", () => {
  const output = buildRunnerConfig(twoTeamInput());

  it("writes exactly the expected set of files", () => {
    expect(output.files.map((f) => f.path)).toEqual([
      "config.toml",
      "register/template-data.toml",
      "register/template-web.toml",
      "register/register.sh",
      "docker/config.json",
    ]);
  });

  for (const file of buildRunnerConfig(twoTeamInput()).files) {
    it(`${file.path} matches the golden file`, () => {
      const golden = join(TWO_TEAM_DIR, "golden", file.path);
      if (process.env.UPDATE_GOLDEN) {
        mkdirSync(dirname(golden), { recursive: true });
        writeFileSync(golden, file.content);
      }
      expect(file.content).toBe(readFileSync(golden, "utf8"));
    });
  }

  it("pins each runner's job image by digest and keeps services, dind and pass-through keys", () => {
    const config = parse(output.files[0]!.content) as {
      concurrent: number;
      check_interval: number;
      log_level: string;
      runners: Array<Record<string, unknown> & { docker: Record<string, unknown> }>;
    };
    expect(config.concurrent).toBe(4);
    expect(config.check_interval).toBe(5);
    expect(config.log_level).toBe("info");
    const [data, web] = config.runners;
    expect(data!.name).toBe("runner-kit-data");
    expect(data!.executor).toBe("docker");
    expect(data!.docker.image).toBe(`registry.example.com:5000/platform/data/job@sha256:${"b".repeat(64)}`);
    expect(data!.docker.services).toEqual([
      { name: "postgres:16", alias: "db", command: ["postgres", "-c", "fsync=off"], environment: ["POSTGRES_PASSWORD=ci-only"] },
    ]);
    expect(data!.docker.privileged).toBeUndefined();
    expect(data!.docker.volumes).toEqual(["/cache"]);
    expect(data!.docker.pull_policy).toEqual(["always", "if-not-present"]);
    expect(data!["tls-ca-file"]).toBe("/etc/gitlab-runner/certs/gitlab.example.com.crt");
    expect(data!.docker.ipcmode).toBe("private");
    // web has no job variant of its own: the base variant, pinned.
    expect(web!.name).toBe("web-dind");
    expect(web!.docker.image).toBe(`registry.example.com:5000/platform/job@sha256:${"a".repeat(64)}`);
    expect(web!.docker.privileged).toBe(true);
    expect(web!.docker.volumes).toEqual(["/certs/client", "/cache"]);
    expect(web!.docker.services).toEqual([
      { name: "docker:27-dind", alias: "docker,dind", entrypoint: ["dockerd-entrypoint.sh"], command: ["--tls=false"] },
    ]);
  });
});
