import { describe, expect, it } from "vitest";
import { resolveRegistryAuth, resolveRegistryCredentials } from "../../src/auth/resolve.js";
import type { AuthSource, DockerAuthEntry } from "../../src/auth/types.js";
import { RunnerKitError } from "../../src/common/errors.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const entry = (user: string, password = `${user}-pw`): DockerAuthEntry => ({ auth: b64(`${user}:${password}`) });
const source = (name: string, auths: Record<string, DockerAuthEntry>): AuthSource => ({ source: name, config: { auths } });

async function who(image: string, sources: AuthSource[]): Promise<string | undefined> {
  const credential = await resolveRegistryAuth(image, sources, { env: {} });
  return credential && `${credential.username}@${credential.source}`;
}

describe("resolveRegistryAuth: order of sources", () => {
  it("the first source to define a registry path keeps it", async () => {
    const sources = [
      source("DOCKER_AUTH_CONFIG", { "registry.example.com": entry("env") }),
      source("/home/u/.docker/config.json", { "registry.example.com": entry("file"), "other.example.com": entry("file2") }),
    ];
    expect(await who("registry.example.com/x/y:1", sources)).toBe("env@DOCKER_AUTH_CONFIG");
    expect(await who("other.example.com/x", sources)).toBe("file2@/home/u/.docker/config.json");
  });

  it("the same registry written differently is still the same path (scheme key vs host key)", async () => {
    const sources = [
      source("first", { "https://Registry.Example.com/v2/": entry("first") }),
      source("second", { "registry.example.com": entry("second") }),
    ];
    expect(await who("registry.example.com/x", sources)).toBe("first@first");
  });

  it("the longest matching path wins even when a later source defines it", async () => {
    const sources = [
      source("first", { "registry.example.com": entry("host") }),
      source("second", { "registry.example.com/group": entry("group") }),
    ];
    expect(await who("registry.example.com/group/image", sources)).toBe("group@second");
    expect(await who("registry.example.com/other/image", sources)).toBe("host@first");
  });

  it("an entry without credentials does not claim the registry", async () => {
    const sources = [source("first", { "registry.example.com": {} }), source("second", { "registry.example.com": entry("second") })];
    expect(await who("registry.example.com/x", sources)).toBe("second@second");
  });
});

describe("resolveRegistryAuth: key matching", () => {
  const sources = [
    source("cfg", {
      "registry.example.com": entry("host"),
      "registry.example.com/group": entry("group"),
      "registry.example.com/group/image": entry("image"),
      "registry.example.com:5000": entry("port"),
      "http://ports.example.com:8443/v2/": entry("scheme-port"),
      "tags.example.com/team/app:v1": entry("tagged-key"),
    }),
  ];

  it.each([
    ["registry.example.com/group/image:tag", "image"],
    [`registry.example.com/group/image@sha256:${"a".repeat(64)}`, "image"],
    ["registry.example.com/group/image-two", "group"],
    ["registry.example.com/group/sub/image", "group"],
    ["registry.example.com/groupie/image", "host"],
    ["registry.example.com/x", "host"],
    ["REGISTRY.Example.COM/group/image", "image"],
    ["registry.example.com:5000/group/image", "port"],
    ["ports.example.com:8443/a/b", "scheme-port"],
    ["tags.example.com/team/app:v2", "tagged-key"],
  ])("%s → %s", async (image, user) => {
    expect(await who(image, sources)).toBe(`${user}@cfg`);
  });

  it.each([["registry.example.com:5001/x"], ["ports.example.com/a"], ["example.com/x"], ["sub.registry.example.com/x"], ["debian"]])(
    "%s → nothing",
    async (image) => {
      expect(await who(image, sources)).toBeUndefined();
    },
  );

  it("host names in keys are case-insensitive", async () => {
    expect(await who("registry.example.com/x", [source("s", { "Registry.EXAMPLE.com": entry("u") })])).toBe("u@s");
  });
});

describe("resolveRegistryAuth: Docker Hub", () => {
  it.each([
    ["https://index.docker.io/v1/"],
    ["docker.io"],
    ["https://docker.io"],
    ["http://index.docker.io/v1/"],
  ])("the key %s covers every Docker Hub image form", async (key) => {
    const sources = [source("hub", { [key]: entry("hub") })];
    for (const image of ["debian", "debian:bookworm", "library/debian", "gitlab/gitlab-runner:v17", "docker.io/gitlab/gitlab-runner", "index.docker.io/library/debian"]) {
      expect(await who(image, sources), `${key} for ${image}`).toBe("hub@hub");
    }
    expect(await who("registry.example.com/debian", sources)).toBeUndefined();
  });

  it("index.docker.io and registry-1.docker.io without a scheme are not Docker Hub aliases", async () => {
    const sources = [source("s", { "index.docker.io": entry("index"), "registry-1.docker.io": entry("r1") })];
    expect(await who("debian", sources)).toBeUndefined();
    expect(await who("registry-1.docker.io/library/debian", sources)).toBe("r1@s");
  });

  it("path keys on Docker Hub: namespace and official image", async () => {
    const sources = [
      source("s", {
        "docker.io/gitlab": entry("ns"),
        "docker.io/debian": entry("official-short"),
        "docker.io/library/alpine": entry("official-long"),
        "https://index.docker.io/v1/": entry("hub"),
      }),
    ];
    expect(await who("gitlab/gitlab-runner", sources)).toBe("ns@s");
    expect(await who("debian:12", sources)).toBe("official-short@s");
    expect(await who("alpine", sources)).toBe("official-long@s");
    expect(await who("busybox", sources)).toBe("hub@s");
  });

  it("a Docker Hub credential keeps the key as its server address", async () => {
    const credential = await resolveRegistryAuth("debian", [source("s", { "https://index.docker.io/v1/": entry("hub", "pw") })]);
    expect(credential).toEqual({
      registry: "docker.io",
      username: "hub",
      password: "pw",
      serverAddress: "https://index.docker.io/v1/",
      source: "s",
    });
  });
});

describe("resolveRegistryAuth: credential forms", () => {
  it("reads auth, username/password and identitytoken", async () => {
    const sources = [
      source("s", {
        "a.example.com": { auth: b64("alice:pa:ss") },
        "b.example.com": { username: "bob", password: "bpw" },
        "c.example.com": { identitytoken: "tok-123" },
      }),
    ];
    expect(await resolveRegistryAuth("a.example.com/x", sources)).toMatchObject({ username: "alice", password: "pa:ss", serverAddress: "a.example.com" });
    expect(await resolveRegistryAuth("b.example.com/x", sources)).toMatchObject({ username: "bob", password: "bpw" });
    expect(await resolveRegistryAuth("c.example.com/x", sources)).toMatchObject({ username: "", password: "", identityToken: "tok-123" });
  });

  it("an invalid image is a configuration error", async () => {
    const error = await resolveRegistryAuth("Registry.example.com/Bad", []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnerKitError);
    expect((error as RunnerKitError).message).toMatch(/repository name must be lowercase/);
  });

  it("the table lists one credential per registry path, first source first", async () => {
    const table = await resolveRegistryCredentials([
      source("one", { "a.example.com": entry("a1"), "https://index.docker.io/v1/": entry("hub") }),
      source("two", { "a.example.com": entry("a2"), "b.example.com": entry("b2") }),
    ]);
    expect(table.all().map((c) => `${c.registry}=${c.username}@${c.source}`)).toEqual([
      "a.example.com=a1@one",
      "docker.io=hub@one",
      "b.example.com=b2@two",
    ]);
    expect(table.forImage("b.example.com/x")?.username).toBe("b2");
  });
});
