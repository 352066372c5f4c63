import { describe, expect, it } from "vitest";
import { lintDockerfile, RULES } from "../../src/lint/lint.js";
import { isTrustedRegistry, trustedRegistryRule, untrustedBases } from "../../src/lint/trusted-registries.js";

describe("trustedRegistries (DL3026)", () => {
  it("matches registries exactly, *.domain by suffix, and Docker Hub by any of its names", () => {
    const trusted = ["registry.example.com:5000", "*.gcr.io", "hub.docker.com"];
    expect(isTrustedRegistry("registry.example.com:5000", trusted)).toBe(true);
    expect(isTrustedRegistry("registry.example.com", trusted)).toBe(false);
    expect(isTrustedRegistry("eu.gcr.io", trusted)).toBe(true);
    expect(isTrustedRegistry("gcr.io", trusted)).toBe(false);
    expect(isTrustedRegistry("docker.io", trusted)).toBe(true);
    expect(isTrustedRegistry("docker.io", ["registry.example.com:5000"])).toBe(false);
    expect(isTrustedRegistry("Quay.io", ["quay.io"])).toBe(true);
  });

  it("judges FROM images with build args substituted; stages, scratch and unresolved variables are not judged", () => {
    const text = ["ARG BASE=debian:bookworm", "FROM ${BASE} AS tools", "FROM quay.io/x/y:1", "FROM tools", "FROM scratch", "FROM ${NOPE}", ""].join("\n");
    const found = untrustedBases(text, {}, ["registry.example.com"]);
    expect([...found]).toEqual([
      [2, { image: "debian:bookworm", registry: "docker.io" }],
      [3, { image: "quay.io/x/y:1", registry: "quay.io" }],
    ]);
    expect([...untrustedBases(text, { BASE: "registry.example.com/debian:12" }, ["registry.example.com"]).keys()]).toEqual([3]);
    expect(untrustedBases(text, {}, []).size).toBe(0);
  });

  it("as a rule: reported at the FROM line with a fix, silent without trustedRegistries, inline ignores work", () => {
    const text = "FROM quay.io/x/y:1\n# hadolint ignore=DL3026\nFROM quay.io/x/z:1\n";
    const findings = lintDockerfile(text, [...RULES, trustedRegistryRule(text, {}, ["docker.io"])]);
    expect(findings).toEqual([
      { rule: "DL3026", severity: "error", line: 1, message: "FROM quay.io/x/y:1 pulls from quay.io, which is not in trustedRegistries", fix: "use an image from docker.io, or add quay.io to trustedRegistries in .hadolint.yaml" },
    ]);
    expect(lintDockerfile(text, [...RULES, trustedRegistryRule(text, {}, [])])).toEqual([]);
  });
});
