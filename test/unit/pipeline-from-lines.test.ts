import { describe, expect, it } from "vitest";
import { fromImages } from "../../src/pipeline/from-lines.js";

describe("fromImages", () => {
  it("substitutes global ARG defaults and build args, skips stages and scratch", () => {
    const dockerfile = [
      "# syntax comment",
      "ARG GITLAB_RUNNER_VERSION=v17.3.0",
      "ARG RUNNER_BASE_IMAGE=gitlab/gitlab-runner:${GITLAB_RUNNER_VERSION}",
      "FROM debian:bookworm AS tools",
      "RUN apt-get update \\",
      "  && apt-get install -y awscli",
      "FROM tools AS more",
      "FROM scratch AS empty",
      "FROM --platform=linux/amd64 ${RUNNER_BASE_IMAGE}",
    ].join("\n");
    expect(fromImages(dockerfile)).toEqual(["debian:bookworm", "gitlab/gitlab-runner:v17.3.0"]);
    expect(fromImages(dockerfile, { RUNNER_BASE_IMAGE: "debian:bookworm" })).toEqual(["debian:bookworm", "debian:bookworm"]);
    expect(fromImages(dockerfile, { GITLAB_RUNNER_VERSION: "v18.0.0" })).toEqual(["debian:bookworm", "gitlab/gitlab-runner:v18.0.0"]);
  });

  it("keeps ${VAR:-default} fallbacks", () => {
    expect(fromImages("ARG BASE\nFROM ${BASE:-busybox:latest}\n")).toEqual(["busybox:latest"]);
  });
});
