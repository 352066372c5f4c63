import { describe, expect, it } from "vitest";
import { baseArgHint } from "../../src/bake/base-arg-hint.js";
import { baseImageArgs } from "../../src/dockerfile/from.js";
import { parseDockerfile } from "../../src/dockerfile/parse.js";

const dockerfile = parseDockerfile(
  ["ARG RUNNER_BASE_IMAGE=gitlab/gitlab-runner:v17.3.0", "ARG TOOLS_BASE_IMAGE=${RUNNER_BASE_IMAGE}", "FROM ${TOOLS_BASE_IMAGE} AS tools", "RUN true", "FROM debian:bookworm", ""].join("\n"),
);

describe("a failed FROM that a build arg chose", () => {
  it("reads which ARGs each FROM names", () => {
    expect([...baseImageArgs(dockerfile)]).toEqual([[3, ["TOOLS_BASE_IMAGE"]]]);
  });

  it("names the image the arg resolved to and the arg, from the classic builder's step", () => {
    const hint = baseArgHint(dockerfile, {}, undefined, {
      failedStep: "Step 3/5 : FROM ${TOOLS_BASE_IMAGE} AS tools",
      error: "Get https://registry-1.docker.io/v2/: dial tcp: lookup registry-1.docker.io: no such host",
    });
    expect(hint).toBe(
      "the FROM on line 3 of the rendered Dockerfile takes its image from build arg TOOLS_BASE_IMAGE, which resolved to gitlab/gitlab-runner:v17.3.0; if the daemon cannot pull that image (no Docker Hub, a private registry), give it one it can with --build-arg TOOLS_BASE_IMAGE=… or under the image's args: in runner-kit.yaml",
    );
  });

  it("from BuildKit's error naming the fully qualified image, with the build args applied", () => {
    const hint = baseArgHint(dockerfile, { RUNNER_BASE_IMAGE: "registry.local/runner:1" }, undefined, {
      failedStep: "[internal] load metadata for registry.local/runner:1",
      error: "failed to solve: registry.local/runner:1: not found",
    });
    expect(hint).toContain("which resolved to registry.local/runner:1");
  });

  it("says nothing for a failure elsewhere", () => {
    expect(baseArgHint(dockerfile, {}, undefined, { failedStep: "[2/2] RUN make", error: "exit code: 2" })).toBeUndefined();
    expect(baseArgHint(dockerfile, {}, undefined, { failedStep: "Step 5/5 : FROM debian:bookworm", error: "no such host" })).toBeUndefined();
  });
});
