import { describe, expect, it } from "vitest";
import { assignAliases, serviceAliases, splitNameAndVersion } from "../../src/smoke/executor/aliases.js";
import { parseDuration } from "../../src/smoke/job/duration.js";
import { parseJob } from "../../src/smoke/job/parse.js";
import { parseRunnerConfig } from "../../src/smoke/job/runner-config.js";
import { healthCheckPorts, serviceEnv } from "../../src/smoke/executor/services.js";
import { expandValue, resolveVariables } from "../../src/smoke/job/variables.js";
import { RunnerKitError } from "../../src/common/errors.js";

describe("serviceAliases (GitLab Runner's services.go vectors)", () => {
  it.each([
    ["tutum/wordpress:latest", undefined, ["tutum__wordpress", "tutum-wordpress"]],
    ["tutum/wordpress", undefined, ["tutum__wordpress", "tutum-wordpress"]],
    ["service", undefined, ["service"]],
    ["service:1.2", undefined, ["service"]],
    ["domain.tld:8080/namespace/service:version", undefined, ["domain.tld__namespace__service", "domain.tld-namespace-service"]],
    ["domain.tld/service@sha256:" + "a".repeat(64), undefined, ["domain.tld__service", "domain.tld-service"]],
    ["localhost:5000/group/svc:1", "db, cache  other", ["localhost__group__svc", "localhost-group-svc", "db", "cache", "other"]],
    ["mysql:8", "db", ["mysql", "db"]],
  ])("%s (alias %s)", (image, alias, expected) => {
    expect(serviceAliases(image, alias)).toEqual(expected);
  });

  it("splits name and version like SplitNameAndVersion", () => {
    expect(splitNameAndVersion("tutum/wordpress")).toEqual({ service: "tutum/wordpress", version: "latest", imageName: "tutum/wordpress:latest" });
    expect(splitNameAndVersion("r.io:5000/a/b:7")).toEqual({ service: "r.io/a/b", version: "7", imageName: "r.io:5000/a/b:7" });
    const digest = "sha256:" + "b".repeat(64);
    expect(splitNameAndVersion(`a/b@${digest}`)).toEqual({ service: "a/b", version: `@${digest}`, imageName: `a/b@${digest}` });
  });

  it("skips aliases already taken, with GitLab Runner's warning, and drops a service left with none", () => {
    const { aliases, warnings } = assignAliases([{ name: "redis:7" }, { name: "redis:6", alias: "old" }, { name: "redis" }]);
    expect(aliases).toEqual([["redis"], ["old"], []]);
    expect(warnings).toEqual([
      'Skipping alias "redis" for service "redis:6" (services[1]): alias is already in use by another service.',
      'Skipping alias "redis" for service "redis" (services[2]): alias is already in use by another service.',
    ]);
  });
});

describe("variables", () => {
  it("expands $VAR, ${VAR}, $$ and unknowns to empty", () => {
    const vars: Record<string, string> = { A: "1", B: "two" };
    expect(expandValue("$A-${B}-$$A-$NOPE.", (n) => vars[n])).toBe("1-two-$A-.");
  });
  it("resolves references between variables, keeps expand:false values and survives cycles", () => {
    const out = resolveVariables({ A: "x$B", B: "y${C}", C: "z", RAW: "$A", X: "$Y", Y: "$X" }, new Set(["RAW"]));
    expect(out.A).toBe("xyz");
    expect(out.RAW).toBe("$A");
    expect(out.X).toMatch(/^\$?X?$|^\$Y$|^\$X$|^$/);
  });
  it("gives services the job variables plus their own, expanded against the job's", () => {
    expect(serviceEnv({ USER: "u", CI: "true" }, { DB_USER: "$USER-db" })).toEqual(["USER=u", "CI=true", "DB_USER=u-db"]);
  });
});

describe("health check ports", () => {
  it("uses HEALTHCHECK_TCP_PORT (any case) alone", () => {
    expect(healthCheckPorts(["healthcheck_tcp_port=8081"], { "6379/tcp": {} })).toEqual([8081]);
  });
  it("else the exposed TCP ports sorted, first 20", () => {
    const exposed = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`${9000 - i}/tcp`, {}]));
    exposed["53/udp"] = {};
    const ports = healthCheckPorts([], exposed);
    expect(ports).toHaveLength(20);
    expect(ports[0]).toBe(8976);
    expect(ports).not.toContain(53);
  });
});

describe("durations", () => {
  it.each([["1h 30m", 5400], ["3 hours", 10800], ["10 minutes", 600], ["90s", 90], ["45", 45], ["1h and 5 seconds", 3605]])("%s", (t, s) => {
    expect(parseDuration(t)).toBe(s);
  });
  it("rejects nonsense", () => {
    expect(parseDuration("soon")).toBeUndefined();
    expect(parseDuration("5 parsecs")).toBeUndefined();
  });
});

const CI = `
variables:
  GLOBAL: g
default:
  image: debian:bookworm
  services: [redis:7]
  before_script: [echo default-before]
  after_script: echo default-after
.tpl:
  variables: { FROM_TPL: t }
  tags: [docker]
uses-defaults:
  script: echo hi
own:
  extends: .tpl
  image:
    name: app:1
    entrypoint: [""]
    pull_policy: [never, if-not-present]
  services:
    - name: postgres:16
      alias: db,pg
      entrypoint: [docker-entrypoint.sh]
      command: ["postgres", "-c", "fsync=off"]
      variables:
        POSTGRES_PASSWORD: $GLOBAL
  variables:
    LOCAL: { value: "$GLOBAL-x", expand: false }
  script:
    - - echo nested
      - echo list
    - echo top
  timeout: 1h 5m
  artifacts: { paths: [x] }
  retry: 2
`;

describe("parseJob", () => {
  it("applies default: image, services, before_script and after_script", () => {
    const job = parseJob(CI, { file: "ci.yml", job: "uses-defaults" });
    expect(job.image).toEqual({ name: "debian:bookworm" });
    expect(job.services).toEqual([{ name: "redis:7", variables: {} }]);
    expect(job.beforeScript).toEqual(["echo default-before"]);
    expect(job.afterScript).toEqual(["echo default-after"]);
    expect(job.variables).toEqual({ GLOBAL: "g" });
  });

  it("reads image and service maps, nested scripts, extends, timeout; job services replace default ones", () => {
    const job = parseJob(CI, { file: "ci.yml", job: "own" });
    expect(job.image).toEqual({ name: "app:1", entrypoint: [""], pullPolicy: ["never", "if-not-present"] });
    expect(job.services).toEqual([
      { name: "postgres:16", alias: "db,pg", entrypoint: ["docker-entrypoint.sh"], command: ["postgres", "-c", "fsync=off"], variables: { POSTGRES_PASSWORD: "$GLOBAL" } },
    ]);
    expect(job.script).toEqual(["echo nested", "echo list", "echo top"]);
    expect(job.variables).toEqual({ GLOBAL: "g", FROM_TPL: "t", LOCAL: "$GLOBAL-x" });
    expect(job.noExpand).toEqual(["LOCAL"]);
    expect(job.timeoutSeconds).toBe(3900);
  });

  it("reports keys it cannot honour instead of dropping them silently", () => {
    const job = parseJob(CI, { file: "ci.yml", job: "own" });
    expect(job.warnings).toEqual([
      'job "own": "tags" (runner selection) has no effect in a smoke run and is ignored',
      'job "own": "artifacts" (artifacts) has no effect in a smoke run and is ignored',
      'job "own": "retry" (retries) has no effect in a smoke run and is ignored',
    ]);
  });

  it("names the file, line and column of a bad value", () => {
    const bad = "job:\n  script: echo\n  image:\n    name: x\n    pull_policy: sometimes\n";
    try {
      parseJob(bad, { file: "ci.yml" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RunnerKitError);
      expect((error as RunnerKitError).toParagraph()).toBe('ci.yml:5:18: unsupported pull_policy "sometimes". Use always, never or if-not-present.');
      expect((error as RunnerKitError).exitCode).toBe(2);
    }
  });

  it("asks for a job name when the file has several, and lists them", () => {
    expect(() => parseJob(CI, { file: "ci.yml" })).toThrow(/defines 2 jobs \(uses-defaults, own\)/);
    expect(() => parseJob(CI, { file: "ci.yml", job: "nope" })).toThrow(/no job "nope"/);
  });
});

describe("config.toml defaults", () => {
  it("reads [runners.docker] image, services and wait_for_services_timeout", () => {
    const d = parseRunnerConfig(
      `[[runners]]\nname = "r"\nexecutor = "docker"\n[runners.docker]\nimage = "alpine:3"\nwait_for_services_timeout = 5\n[[runners.docker.services]]\nname = "redis:7"\nalias = "cache"\nenvironment = ["A=1"]\ncommand = ["redis-server"]\n`,
      "config.toml",
    );
    expect(d).toMatchObject({
      name: "r",
      source: 'config.toml (runner "r")',
      image: { name: "alpine:3" },
      waitForServicesTimeout: 5,
      services: [{ name: "redis:7", alias: "cache", variables: { A: "1" }, command: ["redis-server"] }],
      environment: {},
      warnings: [],
    });
  });
});

describe("the project's smoke: setting", () => {
  it("is found for an image of a variant's repository (any tag), and not for other images", async () => {
    const { projectVariant, variantSmokeRef } = await import("../../src/smoke/job/load.js");
    const projectSmokeRef = async (cwd: string, configFile: string, image: string) => variantSmokeRef((await projectVariant(cwd, configFile, image))?.variant);
    const root = process.cwd();
    const ref = await projectSmokeRef(root, "runner-kit.yaml", "registry.example.com/platform/runner-aws:v17.3.0");
    expect(ref?.file).toBe(`${root}/smoke/runner-aws.gitlab-ci.yml`);
    expect(await projectSmokeRef(root, "runner-kit.yaml", "debian:bookworm")).toBeUndefined();
    expect(await projectSmokeRef(root, "no-such-project.yaml", "registry.example.com/platform/runner-aws:v17.3.0")).toBeUndefined();
  });
});
