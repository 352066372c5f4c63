import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveRegistryCredentials } from "../../src/auth/resolve.js";
import type { SkippedSource } from "../../src/auth/resolve.js";
import { describeSkippedSources } from "../../src/auth/credential-problems.js";
import { helperWorld, type HelperWorld } from "../fixtures/cred-helpers/helper-env.js";

let world: HelperWorld;
beforeEach(() => {
  world = helperWorld();
});
afterEach(() => world.dispose());

describe("sources skipped because a credential helper failed", () => {
  it("are recorded with the helper, the reason and the registries they name", async () => {
    const table = await resolveRegistryCredentials(
      [
        { source: "DOCKER_AUTH_CONFIG", config: { auths: { "a.example.com": { auth: Buffer.from("u:secret-a").toString("base64") } }, credHelpers: { "b.example.com:5000": "nosuch" } } },
        { source: "/home/u/.docker/config.json", config: { credsStore: "rk-garbage" } },
      ],
      { env: world.env, warn: () => {} },
    );
    expect(table.skipped).toEqual([
      { source: "DOCKER_AUTH_CONFIG", helper: "docker-credential-nosuch", reason: "docker-credential-nosuch was not found on PATH", registries: ["a.example.com", "b.example.com:5000"], everyRegistry: false },
      expect.objectContaining({ source: "/home/u/.docker/config.json", helper: "docker-credential-rk-garbage", everyRegistry: true }),
    ]);
    expect(table.skipped[1]!.reason).toMatch(/^docker-credential-rk-garbage list printed something that is not a JSON map/);
    // The credsStore one answers for every registry; the credHelpers one only for its own.
    expect(table.skippedFor("b.example.com:5000/platform/app").map((s) => s.source)).toEqual(["DOCKER_AUTH_CONFIG", "/home/u/.docker/config.json"]);
    expect(table.skippedFor("c.example.com/app").map((s) => s.source)).toEqual(["/home/u/.docker/config.json"]);
    expect(JSON.stringify(table.skipped)).not.toContain("secret-a");
  });

  it("nothing is skipped when every helper answers", async () => {
    world.store({ "r.example.com": { Username: "u", Secret: "p" } });
    const table = await resolveRegistryCredentials([{ source: "cfg", config: { credHelpers: { "r.example.com": "rk-file" } } }], { env: world.env });
    expect(table.skipped).toEqual([]);
    expect(table.skippedFor("r.example.com/x")).toEqual([]);
  });
});

describe("describeSkippedSources", () => {
  const skipped = (reason: string, helper = "docker-credential-x"): SkippedSource => ({ source: "DOCKER_AUTH_CONFIG", helper, reason, registries: [], everyRegistry: true });

  it("names the helper, why, and what to do for each kind of failure", () => {
    expect(describeSkippedSources([skipped("docker-credential-ecr-login was not found on PATH", "docker-credential-ecr-login")])).toBe(
      "credentials from DOCKER_AUTH_CONFIG were skipped because docker-credential-ecr-login was not found on PATH (install docker-credential-ecr-login on the PATH runner-kit runs with, or fix the helper name, or remove it from the credHelpers/credsStore of DOCKER_AUTH_CONFIG and give the credentials another way)",
    );
    expect(describeSkippedSources([skipped("docker-credential-x get printed something that is not the credentials JSON")])).toMatch(/run docker-credential-x by hand to see what it prints/);
    expect(describeSkippedSources([skipped("docker-credential-x on PATH is not executable")])).toMatch(/make docker-credential-x executable \(chmod \+x\)/);
    expect(describeSkippedSources([skipped("docker-credential-x get did not answer within 30s and was stopped")])).toMatch(/find out why docker-credential-x hangs/);
    expect(describeSkippedSources([skipped("docker-credential-x get failed (exit code 1): not logged in")])).toMatch(/log in again with docker-credential-x/);
  });

  it("joins several skipped sources", () => {
    const two = describeSkippedSources([skipped("docker-credential-x was not found on PATH"), { ...skipped("docker-credential-y on PATH is not executable", "docker-credential-y"), source: "/h/.docker/config.json" }]);
    expect(two).toMatch(/^credentials from DOCKER_AUTH_CONFIG were skipped because docker-credential-x .*\); credentials from \/h\/\.docker\/config\.json were skipped because docker-credential-y on PATH is not executable \(make/);
  });

  it("says nothing when no source was skipped", () => {
    expect(describeSkippedSources([])).toBeUndefined();
  });
});
