import { describe, expect, it } from "vitest";
import { createLazyCredentialResolver } from "../../src/auth/lazy-resolver.js";
import { SecretSet } from "../../src/common/secrets.js";

function countingReads(files: Record<string, string>) {
  const reads: string[] = [];
  const readFile = async (path: string) => {
    reads.push(path);
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
    return text;
  };
  return { reads, readFile };
}

describe("createLazyCredentialResolver (the one build and smoke share)", () => {
  const config = JSON.stringify({ auths: { "registry.example.com": { username: "u", password: "lazy-secret" } } });

  it("reads no credential source until an image is asked for", async () => {
    const { reads, readFile } = countingReads({ "/h/.docker/config.json": config });
    const resolver = createLazyCredentialResolver({ env: {}, homeDir: "/h", readFile });
    await new Promise((r) => setTimeout(r, 10));
    expect(reads).toEqual([]);
    expect((await resolver.forImage("registry.example.com/team/app:1"))?.username).toBe("u");
    expect(reads).toContain("/h/.docker/config.json");
  });

  it("loads once for many images, registers the passwords and answers all() and skippedFor()", async () => {
    const { reads, readFile } = countingReads({ "/h/.docker/config.json": config });
    const secrets = new SecretSet();
    const info: string[] = [];
    const resolver = createLazyCredentialResolver({ env: {}, homeDir: "/h", readFile, secrets, info: (m) => info.push(m) });
    const [a, b, none] = await Promise.all([
      resolver.forImage("registry.example.com/a"),
      resolver.forImage("registry.example.com/b"),
      resolver.forImage("debian:bookworm"),
    ]);
    expect([a?.password, b?.password, none]).toEqual(["lazy-secret", "lazy-secret", undefined]);
    expect(reads.filter((p) => p === "/h/.docker/config.json")).toHaveLength(1);
    expect(secrets.redact("pw lazy-secret")).toBe("pw [redacted]");
    expect(info).toEqual(["Authenticating with credentials from /h/.docker/config.json", "Authenticating with credentials from /h/.docker/config.json"]);
    expect((await resolver.all()).map((c) => c.registry)).toEqual(["registry.example.com"]);
    expect(await resolver.skippedFor("registry.example.com/a")).toEqual([]);
  });
});
