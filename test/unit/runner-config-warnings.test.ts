import { describe, expect, it } from "vitest";
import { buildRunnerConfig } from "../../src/runner/assemble.js";
import { isExampleHost, runnerWarnings } from "../../src/runner/config-warnings.js";
import type { RunnerSection } from "../../src/project/runner-schema.js";

const section = (extra: Partial<RunnerSection> = {}): RunnerSection => ({ url: "https://gitlab.acme.io", ...extra }) as RunnerSection;
const credential = (host: string) => ({ host, username: "u", password: "p", from: "env P" });

describe("runner config warnings", () => {
  it("knows the documentation hosts of RFC 2606", () => {
    expect(["gitlab.example.com", "registry.example.com:5000", "example.org", "x.example"].map(isExampleHost)).toEqual([true, true, true, true]);
    expect(["gitlab.com", "example.com.evil.io", "myexample.com"].map(isExampleHost)).toEqual([false, false, false]);
  });

  it("names a URL, a registry and an image registry still at the scaffold's examples", () => {
    const warnings = runnerWarnings({
      name: "r",
      section: section({ url: "https://gitlab.example.com", registries: [{ host: "registry.example.com", username: "u", password_env: "P" }] as RunnerSection["registries"] }),
      image: "registry.example.com/platform/job-base:bookworm",
      credentials: [],
    });
    expect(warnings).toEqual([
      "r: url is still the example value https://gitlab.example.com; set url: to your GitLab instance",
      "r: registries lists the example host registry.example.com; name your own registry",
      "r: the job image registry.example.com/platform/job-base:bookworm is in the example registry registry.example.com; set registry: in runner-kit.yaml to your own",
    ]);
  });

  it("warns when the job image's registry has no credentials, and not when it has", () => {
    const image = "reg.acme.io:5000/platform/job-base@sha256:" + "a".repeat(64);
    expect(runnerWarnings({ name: "r", section: section(), image, credentials: [credential("other.acme.io")] })).toEqual([
      "r: the job image " + image + " is in reg.acme.io:5000, but the runner has no credentials for it; add reg.acme.io:5000 to runner.registries (or config_json.ecr), unless it allows anonymous pulls",
    ]);
    expect(runnerWarnings({ name: "r", section: section(), image, credentials: [credential("reg.acme.io:5000/platform")] })).toEqual([]);
    const ecr = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
    expect(runnerWarnings({ name: "r", section: section({ config_json: { ecr: [ecr] } } as Partial<RunnerSection>), image: `${ecr}/job:1`, credentials: [] })).toEqual([]);
    expect(runnerWarnings({ name: "r", section: section(), image: "debian:bookworm", credentials: [] })).toEqual([]);
  });

  it("reaches runner-kit config's warnings", () => {
    const out = buildRunnerConfig({
      projectLabel: "runner-kit.yaml",
      rootDir: "/nowhere",
      runner: section({ image: "reg.acme.io/ci/job:1" }),
      teams: {},
      variants: [],
      lock: undefined,
      env: { RUNNER_TOKEN: "t" },
      readFile: () => {
        throw new Error("no files");
      },
      secrets: { add: () => {}, addCredential: () => {}, redact: (s: string) => s },
    } as unknown as Parameters<typeof buildRunnerConfig>[0]);
    expect(out.warnings).toContain(
      "runner-kit: the job image reg.acme.io/ci/job:1 is in reg.acme.io, but the runner has no credentials for it; add reg.acme.io to runner.registries (or config_json.ecr), unless it allows anonymous pulls",
    );
  });
});
