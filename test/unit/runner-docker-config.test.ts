import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RunnerKitError } from "../../src/common/errors.js";
import { buildDockerConfig, writeDockerConfig } from "../../src/runner/docker-config.js";
import { thrownBy } from "../fixtures/runner/project.js";
import { authKey, ecrHostProblem, helperNameProblem, registryHostProblem } from "../../src/project/runner-hosts.js";

const ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
const cred = (host: string, username = "u", password = "p") => ({ host, username, password, from: "env P" });

describe("docker/config.json", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("uses credHelpers per ECR host by default, with no credsStore and no warning", () => {
    const result = buildDockerConfig({ ecrHosts: [ECR, "210987654321.dkr.ecr.us-gov-west-1.amazonaws.com", "public.ecr.aws"] });
    expect(result.config).toEqual({
      credHelpers: { [ECR]: "ecr-login", "210987654321.dkr.ecr.us-gov-west-1.amazonaws.com": "ecr-login", "public.ecr.aws": "ecr-login" },
    });
    expect(result.warnings).toEqual([]);
    expect(result.hasCredentials).toBe(false);
  });

  it("writes credsStore when asked, with a warning that it applies to every registry and breaks Docker Hub pulls", () => {
    const result = buildDockerConfig({ credsStore: "ecr-login" });
    expect(result.config).toEqual({ credsStore: "ecr-login" });
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/applies to every registry/);
    expect(result.warnings[0]).toMatch(/Docker Hub/);
  });

  it("writes auths for static credentials, Docker Hub under https://index.docker.io/v1/", () => {
    const result = buildDockerConfig({ auths: [cred("127.0.0.1:5000", "ci", "pw"), cred("docker.io", "hub", "tok")], ecrHosts: [ECR] });
    expect(result.config.auths).toEqual({
      "127.0.0.1:5000": { auth: Buffer.from("ci:pw").toString("base64") },
      "https://index.docker.io/v1/": { auth: Buffer.from("hub:tok").toString("base64") },
    });
    expect(result.config.credHelpers).toEqual({ [ECR]: "ecr-login" });
    expect(result.hasCredentials).toBe(true);
  });

  it("warns when two runners bring different logins for one registry and keeps the first", () => {
    const result = buildDockerConfig({ auths: [cred("r.example.com", "a", "1"), cred("r.example.com", "b", "2")] });
    expect(Buffer.from(result.config.auths!["r.example.com"]!.auth!, "base64").toString()).toBe("a:1");
    expect(result.warnings.join()).toMatch(/different credentials/);
  });

  it("writes 0600 with credentials and 0644 without, and parses back", async () => {
    dir = mkdtempSync(join(tmpdir(), "rk-dockercfg-"));
    const withAuth = buildDockerConfig({ auths: [cred("127.0.0.1:5000")] }).config;
    await writeDockerConfig(join(dir, "a", "config.json"), withAuth);
    expect(statSync(join(dir, "a", "config.json")).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, "a", "config.json"), "utf8"))).toEqual(withAuth);
    const helpersOnly = buildDockerConfig({ ecrHosts: [ECR] }).config;
    await writeDockerConfig(join(dir, "b", "config.json"), helpersOnly);
    expect(statSync(join(dir, "b", "config.json")).mode & 0o777).toBe(0o644);
    expect(JSON.parse(readFileSync(join(dir, "b", "config.json"), "utf8"))).toEqual(helpersOnly);
  });

  it.each([
    ["12345.dkr.ecr.eu-west-1.amazonaws.com"],
    ["123456789012.dkr.ecr.amazonaws.com"],
    ["123456789012.ecr.eu-west-1.amazonaws.com"],
    ["123456789012.dkr.ecr.eu-west-1.amazonaws.com:443"],
    ["https://123456789012.dkr.ecr.eu-west-1.amazonaws.com"],
    ["registry.example.com"],
  ])("rejects the ECR host %s with the shape it must have", (host) => {
    expect(ecrHostProblem(host)).toMatch(/<12-digit account id>\.dkr\.ecr\.<region>\.amazonaws\.com/);
    const error = thrownBy(() => buildDockerConfig({ ecrHosts: [host] }));
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(host);
  });

  it.each([["../bin/evil"], ["/usr/bin/docker-credential-pass"], ["a\\b"], ["docker-credential-ecr-login"], ["has space"], [""]])(
    "rejects the helper name %j",
    (name) => {
      expect(helperNameProblem(name)).toBeDefined();
      expect(() => buildDockerConfig({ credsStore: name })).toThrow(RunnerKitError);
      expect(() => buildDockerConfig({ credHelpers: { "r.example.com": name } })).toThrow(RunnerKitError);
    },
  );

  it("accepts real helper names", () => {
    for (const name of ["ecr-login", "gcloud", "pass", "osxkeychain", "desktop.exe"]) expect(helperNameProblem(name)).toBeUndefined();
  });

  it("validates registry host[:port]", () => {
    for (const ok of ["registry.example.com", "registry.example.com:5000", "127.0.0.1:41234", "localhost:5000", "[::1]:5000", "r.example.com/group/project"]) {
      expect(registryHostProblem(ok), ok).toBeUndefined();
    }
    expect(registryHostProblem("https://registry.example.com")).toMatch(/without a scheme.*"registry.example.com"/);
    expect(registryHostProblem("registry.example.com:99999")).toMatch(/not between 1 and 65535/);
    expect(registryHostProblem("registry.example.com:")).toMatch(/host\[:port\]/);
    expect(registryHostProblem("bad host")).toMatch(/host\[:port\]/);
    expect(registryHostProblem("-bad.example.com")).toMatch(/host\[:port\]/);
  });

  it("keys Docker Hub the way the Docker CLI and GitLab Runner expect", () => {
    expect(authKey("docker.io")).toBe("https://index.docker.io/v1/");
    expect(authKey("index.docker.io")).toBe("https://index.docker.io/v1/");
    expect(authKey("Registry.Example.com:5000")).toBe("registry.example.com:5000");
    expect(authKey("r.example.com/Group")).toBe("r.example.com/Group");
  });
});
