import { describe, expect, it } from "vitest";
import { RegistryClient, RegistryHttpError } from "../../src/push/registry-api.js";

type Call = { url: string; init?: RequestInit };

function fakeFetch(handler: (url: string, init?: RequestInit) => Response, calls: Call[]) {
  return async (url: string, init?: RequestInit) => {
    calls.push(init === undefined ? { url } : { url, init });
    return handler(url, init);
  };
}

const DIGEST = `sha256:${"e".repeat(64)}`;

describe("RegistryClient", () => {
  it("follows the Bearer token flow with basic credentials, then reads the manifest digest", async () => {
    const calls: Call[] = [];
    const client = new RegistryClient(
      { domain: "registry.example.com", insecure: false, username: "u", password: "p" },
      fakeFetch((url, init) => {
        const auth = (init?.headers as Record<string, string> | undefined)?.Authorization;
        if (url.startsWith("https://auth.example.com/token")) {
          expect(auth).toBe(`Basic ${Buffer.from("u:p").toString("base64")}`);
          return Response.json({ token: "tok" });
        }
        if (auth !== "Bearer tok") {
          return new Response(null, { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:p/x:pull"' } });
        }
        return new Response(null, { status: 200, headers: { "Docker-Content-Digest": DIGEST } });
      }, calls),
    );
    expect(await client.manifestDigest("p/x", "v1")).toBe(DIGEST);
    expect(calls.map((c) => c.url)).toEqual([
      "https://registry.example.com/v2/p/x/manifests/v1",
      "https://auth.example.com/token?service=registry.example.com&scope=repository%3Ap%2Fx%3Apull",
      "https://registry.example.com/v2/p/x/manifests/v1",
    ]);
  });

  it("answers a Basic challenge over plain HTTP, reads labels through an index, and maps 404 to undefined", async () => {
    const calls: Call[] = [];
    const client = new RegistryClient(
      { domain: "127.0.0.1:5000", insecure: true, username: "u", password: "p" },
      fakeFetch((url, init) => {
        if (!(init?.headers as Record<string, string> | undefined)?.Authorization) return new Response(null, { status: 401, headers: { "WWW-Authenticate": 'Basic realm="r"' } });
        if (url.endsWith("/manifests/missing")) return new Response(null, { status: 404 });
        if (url.endsWith("/manifests/v1")) return Response.json({ manifests: [{ digest: "sha256:child" }] }, { headers: { "Docker-Content-Digest": DIGEST } });
        if (url.endsWith("/manifests/sha256:child")) return Response.json({ config: { digest: "sha256:cfg" } });
        if (url.endsWith("/blobs/sha256:cfg")) return Response.json({ config: { Labels: { a: "b" } } });
        return new Response(null, { status: 500 });
      }, calls),
    );
    expect(await client.imageLabels("p/x", "v1")).toEqual({ digest: DIGEST, labels: { a: "b" } });
    expect(await client.manifestDigest("p/x", "missing")).toBeUndefined();
    expect(calls[0]!.url).toBe("http://127.0.0.1:5000/v2/p/x/manifests/v1");
  });

  it("turns refused credentials and unreachable hosts into RegistryHttpError", async () => {
    const refused = new RegistryClient({ domain: "r", insecure: true, username: "u", password: "bad" }, fakeFetch(() => new Response(null, { status: 401, headers: { "WWW-Authenticate": 'Basic realm="r"' } }), []));
    await expect(refused.manifestDigest("p/x", "v1")).rejects.toMatchObject({ status: 401, message: expect.stringContaining("refused access to r/p/x:v1") });
    const gone = new RegistryClient({ domain: "nowhere.invalid", insecure: false }, async () => {
      throw Object.assign(new TypeError("fetch failed"), { cause: { code: "ENOTFOUND" } });
    });
    const e = await gone.manifestDigest("p/x", "v1").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RegistryHttpError);
    expect((e as RegistryHttpError).message).toBe("cannot reach the registry nowhere.invalid (ENOTFOUND)");
  });
});
