import { describe, expect, it } from "vitest";
import { RunnerKitError } from "../../src/common/errors.js";
import {
  dockerRef,
  isDockerHub,
  isValidImageReference,
  parseImageReference,
  registryHost,
  withDigest,
  withTag,
  withoutTagOrDigest,
} from "../../src/reference/parse.js";

const SHA = "sha256:" + "f".repeat(64);

function parseError(ref: string): RunnerKitError {
  try {
    parseImageReference(ref);
  } catch (error) {
    expect(error).toBeInstanceOf(RunnerKitError);
    return error as RunnerKitError;
  }
  throw new Error(`expected ${JSON.stringify(ref)} to be rejected`);
}

describe("parseImageReference: Docker Hub normalisation", () => {
  it.each([
    // input, domain, path, familiarName
    ["debian", "docker.io", "library/debian", "debian"],
    ["library/debian", "docker.io", "library/debian", "debian"],
    ["docker.io/debian", "docker.io", "library/debian", "debian"],
    ["docker.io/library/debian", "docker.io", "library/debian", "debian"],
    ["index.docker.io/debian", "docker.io", "library/debian", "debian"],
    ["index.docker.io/library/debian", "docker.io", "library/debian", "debian"],
    ["index.docker.io/docker/docker", "docker.io", "docker/docker", "docker/docker"],
    ["gitlab/gitlab-runner", "docker.io", "gitlab/gitlab-runner", "gitlab/gitlab-runner"],
    ["other/library", "docker.io", "other/library", "other/library"],
    ["library/ubuntu/foo", "docker.io", "library/ubuntu/foo", "library/ubuntu/foo"],
    ["docker.io/mybucket/image/name", "docker.io", "mybucket/image/name", "mybucket/image/name"],
    ["ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base", "ubuntu-12.04-base"],
    ["localhost/privatebase", "localhost", "privatebase", "localhost/privatebase"],
    ["localhost:8000/private/moonbase", "localhost:8000", "private/moonbase", "localhost:8000/private/moonbase"],
    ["example.com/privatebase", "example.com", "privatebase", "example.com/privatebase"],
    ["example.com:8000/private/moonbase", "example.com:8000", "private/moonbase", "example.com:8000/private/moonbase"],
    ["127.0.0.1:5000/docker/docker", "127.0.0.1:5000", "docker/docker", "127.0.0.1:5000/docker/docker"],
    ["192.168.0.1:8/debian", "192.168.0.1:8", "debian", "192.168.0.1:8/debian"],
    ["test:5000/repo", "test:5000", "repo", "test:5000/repo"],
    ["registry-1.docker.io/library/debian", "registry-1.docker.io", "library/debian", "registry-1.docker.io/library/debian"],
    ["[fc00::1]:5000/docker", "[fc00::1]:5000", "docker", "[fc00::1]:5000/docker"],
    ["[2001:db8::1]/repo", "[2001:db8::1]", "repo", "[2001:db8::1]/repo"],
    ["[fc00:1:2:3:4:5:6:7]:5000/debian", "[fc00:1:2:3:4:5:6:7]:5000", "debian", "[fc00:1:2:3:4:5:6:7]:5000/debian"],
    ["[::1]:5000/repo", "[::1]:5000", "repo", "[::1]:5000/repo"],
    ["xn--n3h.com/myimage", "xn--n3h.com", "myimage", "xn--n3h.com/myimage"],
    ["sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "bar/baz/quux", "sub-dom1.foo.com/bar/baz/quux"],
    // A first component with an uppercase letter is taken as a domain (distribution's FIXME).
    ["Uppercase/lowercase", "Uppercase", "lowercase", "Uppercase/lowercase"],
  ])("%s → %s / %s", (input, domain, path, familiarName) => {
    const ref = parseImageReference(input);
    expect(ref.domain).toBe(domain);
    expect(ref.path).toBe(path);
    expect(ref.name).toBe(`${domain}/${path}`);
    expect(ref.familiarName).toBe(familiarName);
    expect(ref.tag).toBeUndefined();
    expect(ref.digest).toBeUndefined();
    expect(String(ref)).toBe(`${domain}/${path}`);
  });

  it.each([
    // Without a "/", a ":" separates the tag: these are Docker Hub library repositories.
    ["test.com:5000", "library/test.com", "5000"],
    ["192.168.0.1:80", "library/192.168.0.1", "80"],
    ["localhost:5000", "library/localhost", "5000"],
    ["foo_bar.com:8080", "library/foo_bar.com", "8080"],
    ["lowercase:Uppercase", "library/lowercase", "Uppercase"],
  ])("%s is a Docker Hub repository %s with tag %s", (input, path, tag) => {
    const ref = parseImageReference(input);
    expect(ref.domain).toBe("docker.io");
    expect(ref.path).toBe(path);
    expect(ref.tag).toBe(tag);
  });

  it("keeps tag and digest, and renders full and familiar strings", () => {
    const ref = parseImageReference(`debian:bookworm@${SHA}`);
    expect(ref.tag).toBe("bookworm");
    expect(ref.digest).toBe(SHA);
    expect(ref.toString()).toBe(`docker.io/library/debian:bookworm@${SHA}`);
    expect(`${ref}`).toBe(`docker.io/library/debian:bookworm@${SHA}`);
    expect(ref.familiarString).toBe(`debian:bookworm@${SHA}`);

    const ipv6 = parseImageReference(`[2001:db8::1]:5000/repo:tag@${SHA}`);
    expect(ipv6.domain).toBe("[2001:db8::1]:5000");
    expect(ipv6.tag).toBe("tag");
    expect(ipv6.digest).toBe(SHA);
  });

  it("tags may look like domains or carry uppercase", () => {
    expect(parseImageReference("b.gcr.io/test.example.com/my-app:test.example.com").tag).toBe("test.example.com");
    expect(parseImageReference("foo/foo_bar.com:8080").path).toBe("foo/foo_bar.com");
    expect(parseImageReference("registry.example.com:5000/x:TAG5").tag).toBe("TAG5");
  });

  it("accepts every separator form between path components", () => {
    for (const name of ["a.b", "a_b", "a__b", "a-b", "a--b", "a---b", "a0.b1_c2__d3-e4", "a/b.c/d__e"]) {
      expect(isValidImageReference(name), name).toBe(true);
    }
  });

  it("returns frozen values", () => {
    const ref = parseImageReference("debian");
    expect(Object.isFrozen(ref)).toBe(true);
  });
});

describe("parseImageReference: digests", () => {
  it.each([
    [SHA, true],
    ["sha512:" + "f".repeat(128), true],
    ["sha384:" + "a".repeat(96), true],
    ["sha256:" + "f".repeat(63), false],
    ["sha256:" + "f".repeat(65), false],
    ["sha256:" + "F".repeat(64), false],
    ["sha512:" + "f".repeat(64), false],
    ["invaliddigest:" + "f".repeat(64), false],
    ["sha256:" + "f".repeat(31), false],
    ["sha256:" + "g".repeat(64), false],
  ])("repo@%s valid=%s", (digest, valid) => {
    expect(isValidImageReference(`repo@${digest}`)).toBe(valid);
  });

  it("names the algorithm's exact length when a sha256 digest is short", () => {
    const error = parseError(`repo@sha256:${"f".repeat(34)}`);
    expect(error.message).toContain("has 34 hex characters; sha256 takes exactly 64");
  });

  it("reports an unknown digest algorithm", () => {
    expect(parseError(`validname@invaliddigest:${"f".repeat(64)}`).message).toMatch(/algorithm .* is not supported/);
  });
});

describe("parseImageReference: length limits", () => {
  it("allows a 255-character path and rejects 257", () => {
    const ok = parseImageReference("a/".repeat(127) + "a:tag-puts-this-over-max");
    expect(ok.path).toHaveLength(255);
    expect(ok.domain).toBe("docker.io");
    const error = parseError("a/".repeat(128) + "a:tag");
    expect(error.message).toContain("the repository path is 257 characters long; at most 255 are allowed");
  });

  it("counts the path only, not the domain (distribution/reference ≥ v0.6.0)", () => {
    const domain = `${"d".repeat(60)}.${"e".repeat(60)}.${"f".repeat(60)}.example.com:5000`;
    const path = `${"p".repeat(120)}/${"q".repeat(120)}`;
    const ref = parseImageReference(`${domain}/${path}`);
    expect(ref.name.length).toBeGreaterThan(255);
    expect(ref.path).toBe(path);
    expect(isValidImageReference(`${domain}/${path}x/${"r".repeat(13)}`)).toBe(false);
  });

  it("allows a 128-character tag and rejects 129", () => {
    expect(parseImageReference(`repo:${"t".repeat(128)}`).tag).toHaveLength(128);
    expect(parseError(`repo:${"t".repeat(129)}`).message).toContain("the tag is 129 characters long; at most 128 are allowed");
  });

  it("accepts a 64-character single-component name that is not hex", () => {
    expect(isValidImageReference("thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev")).toBe(true);
  });
});

describe("parseImageReference: invalid input", () => {
  it.each([
    ["", /the name is empty/],
    [":justtag", /repository name is missing/],
    [`@${SHA}`, /repository name is missing/],
    ["https://github.com/docker/docker", /URL scheme/],
    ["docker/Docker", /repository name must be lowercase/],
    ["docker.io/docker/Docker", /repository name must be lowercase/],
    ["test:5000/Uppercase/lowercase:tag", /repository name must be lowercase/],
    ["Uppercase:tag", /repository name must be lowercase/],
    ["-docker", /invalid reference format/],
    ["-docker/docker", /invalid reference format/],
    ["-docker.io/docker/docker", /invalid reference format/],
    ["docker///docker", /empty path component/],
    ["docker.io/docker///docker", /empty path component/],
    ["aa/asdf$$^/aa", /invalid reference format/],
    ["a___b", /invalid reference format/],
    ["a..b", /invalid reference format/],
    ["a.-b", /invalid reference format/],
    ["_a", /invalid reference format/],
    ["a_", /invalid reference format/],
    ["repo/", /empty path component/],
    ["repo:", /tag after ":" is empty/],
    ["repo@", /digest after "@" is empty/],
    ["repo:-tag", /the tag "-tag" is invalid/],
    ["repo:.tag", /the tag ".tag" is invalid/],
    ["repo:ta g", /whitespace/],
    [" debian", /whitespace/],
    ["[fc00::1]", /invalid/],
    ["[fc00::1]:5000", /invalid/],
    ["[2001:db8::1]:tag", /IPv6 registry address .* followed by \/<repository>/],
    ["fc00::1:5000/debian", /invalid reference format/],
    ["[fe80::1%eth0]:5000/debian", /IPv6 registry address is written \[address\]/],
    ["[2001:db8:3:4::192.0.2.33]:5000/debian", /IPv6 registry address is written \[address\]/],
    ["[2001:db8::1]:5000/Bad", /repository name must be lowercase \("Bad"\)/],
    ["[2001:db8::1]:5000/a..b", /repository path after the IPv6 registry address is not valid/],
    ["1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", /64-character image ID/],
  ])("%j is rejected (%s)", (input, reason) => {
    const error = parseError(input);
    expect(error.kind).toBe("config");
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(reason);
    expect(error.message).toContain(`invalid image reference ${JSON.stringify(input)}`);
    // One paragraph: no newline, ends with a sentence stop, says what to do.
    const paragraph = error.toParagraph();
    expect(paragraph).not.toContain("\n");
    expect(paragraph).toMatch(/\.$/);
  });

  it("names the repository as written, and shortens a very long reference", () => {
    expect(parseError("Debian:12").message).toContain('repository name must be lowercase ("Debian")');
    const long = parseError("a/".repeat(200) + "a");
    expect(long.message).toMatch(/^invalid image reference "(a\/){30}…(\/a){20}": the repository path is 401 characters long/);
  });

  it("puts the caller's location in front of the paragraph", () => {
    try {
      parseImageReference("Bad/Name", { where: { file: "runner-kit.yaml", line: 3, column: 9 } });
      expect.unreachable();
    } catch (error) {
      expect((error as RunnerKitError).toParagraph()).toMatch(/^runner-kit\.yaml:3:9: invalid image reference "Bad\/Name": repository name must be lowercase/);
    }
  });
});

describe("reference helpers", () => {
  it("withTag replaces the tag and keeps a digest, validating the tag", () => {
    expect(withTag("registry.example.com:5000/platform/runner:old", "v1").toString()).toBe("registry.example.com:5000/platform/runner:v1");
    expect(withTag("test.com:8000/foo", "TAG5").toString()).toBe("test.com:8000/foo:TAG5");
    expect(withTag(`foo@${SHA}`, "t").familiarString).toBe(`foo:t@${SHA}`);
    expect(() => withTag("foo", "-bad")).toThrow(/invalid image tag "-bad" for foo/);
    expect(() => withTag("foo", "x".repeat(129))).toThrow(RunnerKitError);
  });

  it("withDigest pins a digest and keeps the tag, validating the digest", () => {
    expect(withDigest("debian:bookworm", SHA).toString()).toBe(`docker.io/library/debian:bookworm@${SHA}`);
    expect(() => withDigest("debian", "sha256:abc")).toThrow(/invalid digest "sha256:abc" for debian/);
  });

  it("withoutTagOrDigest and dockerRef", () => {
    expect(withoutTagOrDigest(`debian:12@${SHA}`).toString()).toBe("docker.io/library/debian");
    expect(dockerRef("debian").toString()).toBe("docker.io/library/debian:latest");
    expect(dockerRef("debian:12").toString()).toBe("docker.io/library/debian:12");
    expect(dockerRef(`debian:12@${SHA}`).toString()).toBe(`docker.io/library/debian@${SHA}`);
  });

  it("registryHost and isDockerHub", () => {
    expect(registryHost("debian")).toBe("docker.io");
    expect(registryHost("index.docker.io/gitlab/gitlab-runner")).toBe("docker.io");
    expect(registryHost("127.0.0.1:5000/x/y:1")).toBe("127.0.0.1:5000");
    expect(registryHost(parseImageReference("localhost/x"))).toBe("localhost");
    expect(isDockerHub("gitlab/gitlab-runner")).toBe(true);
    expect(isDockerHub("registry.gitlab.com/gitlab-org/gitlab-runner")).toBe(false);
  });
});
