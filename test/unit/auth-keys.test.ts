import { describe, expect, it } from "vitest";
import { lookupPathsForImage, registryPathForKey } from "../../src/auth/keys.js";

describe("registry keys → registry paths (GitLab Runner's convertToRegistryPath)", () => {
  it.each([
    ["https://index.docker.io/v1/", "docker.io"],
    ["http://index.docker.io/v1/", "docker.io"],
    ["HTTPS://Index.Docker.IO/v1/", "docker.io"],
    ["https://registry.example.com/v2/", "registry.example.com"],
    ["https://Registry.Example.com:5000/some/path", "registry.example.com:5000"],
    ["https://registry.example.com:5000", "registry.example.com:5000"],
    ["docker.io", "docker.io"],
    ["index.docker.io", "index.docker.io"],
    ["registry-1.docker.io", "registry-1.docker.io"],
    ["registry.example.com", "registry.example.com"],
    ["Registry.Example.COM:5000", "registry.example.com:5000"],
    ["registry.example.com:5000/", "registry.example.com:5000"],
    ["registry.example.com/Group/Image", "registry.example.com/Group/Image"],
    ["REGISTRY.example.com/group/image:tag", "registry.example.com/group/image"],
    ["registry.example.com:5000/group/image:1.2", "registry.example.com:5000/group/image"],
    ["localhost:5000", "localhost:5000"],
    ["[::1]:5000/group", "[::1]:5000/group"],
  ])("%s → %s", (key, path) => {
    expect(registryPathForKey(key)).toBe(path);
  });
});

describe("image → lookup paths, longest first", () => {
  it.each([
    ["debian", ["docker.io/library/debian", "docker.io/debian", "docker.io/library", "docker.io"]],
    ["debian:bookworm", ["docker.io/library/debian", "docker.io/debian", "docker.io/library", "docker.io"]],
    ["docker.io/library/debian", ["docker.io/library/debian", "docker.io/debian", "docker.io/library", "docker.io"]],
    ["index.docker.io/gitlab/gitlab-runner:v17", ["docker.io/gitlab/gitlab-runner", "docker.io/gitlab", "docker.io"]],
    [
      "Registry.Example.com:5000/group/sub/image:tag",
      ["registry.example.com:5000/group/sub/image", "registry.example.com:5000/group/sub", "registry.example.com:5000/group", "registry.example.com:5000"],
    ],
    [`localhost:5000/x@sha256:${"a".repeat(64)}`, ["localhost:5000/x", "localhost:5000"]],
    ["[::1]:5000/x/y", ["[::1]:5000/x/y", "[::1]:5000/x", "[::1]:5000"]],
  ] as [string, string[]][])("%s", (image, paths) => {
    expect(lookupPathsForImage(image)).toEqual(paths);
  });

  it("rejects an invalid image with the reference error", () => {
    expect(() => lookupPathsForImage("Bad/Image")).toThrow(/repository name must be lowercase/);
  });
});
