import { describe, expect, it } from "vitest";
import { RegistryClient, RegistryHttpError } from "../../src/push/registry-api.js";
import { registryErrorIsTransient, withRegistryRetries } from "../../src/push/registry-retry.js";

const endpoint = { domain: "registry.example.com", insecure: false, username: "u", password: "p" };

describe("RegistryClient writes", () => {
  it("puts the registry's own error codes and messages into a refused manifest push", async () => {
    const client = new RegistryClient(endpoint, async () =>
      Response.json({ errors: [{ code: "MANIFEST_INVALID", message: "manifest invalid", detail: { reason: "bad platform" } }, { code: "DENIED", message: "no" }] }, { status: 400 }),
    );
    const error = await client.putManifest("p/x", "v1", "application/vnd.oci.image.index.v1+json", new Uint8Array([123, 125])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryHttpError);
    expect((error as RegistryHttpError).status).toBe(400);
    expect((error as RegistryHttpError).message).toBe(
      'the registry registry.example.com refused the manifest registry.example.com/p/x:v1 with HTTP 400: MANIFEST_INVALID: manifest invalid ({"reason":"bad platform"}); DENIED: no',
    );
  });

  it("keeps a body that is not JSON as it came", async () => {
    const client = new RegistryClient(endpoint, async () => new Response("upstream proxy said no", { status: 413 }));
    await expect(client.putManifest("p/x", "v1", "t", new Uint8Array())).rejects.toThrow(/HTTP 413: upstream proxy said no$/);
  });

  it("uploads a blob with POST then a PUT to the session's location carrying the digest", async () => {
    const calls: { url: string; method: string | undefined }[] = [];
    const client = new RegistryClient({ ...endpoint, insecure: true, domain: "127.0.0.1:5000" }, async (url, init) => {
      calls.push({ url, method: init?.method });
      if (init?.method === "POST") return new Response(null, { status: 202, headers: { Location: "http://127.0.0.1:5000/v2/p/x/blobs/uploads/abc?_state=s" } });
      return new Response(null, { status: 201 });
    });
    await client.uploadBlob("p/x", `sha256:${"a".repeat(64)}`, 3, () => new Uint8Array([1, 2, 3]));
    expect(calls).toEqual([
      { url: "http://127.0.0.1:5000/v2/p/x/blobs/uploads/", method: "POST" },
      { url: `http://127.0.0.1:5000/v2/p/x/blobs/uploads/abc?_state=s&digest=sha256%3A${"a".repeat(64)}`, method: "PUT" },
    ]);
  });
});

describe("registry retries (the daemon-push policy)", () => {
  it("retries no answer, 429 and 5xx; never 4xx", () => {
    expect(registryErrorIsTransient(new RegistryHttpError("cannot reach", undefined))).toBe(true);
    expect(registryErrorIsTransient(new RegistryHttpError("busy", 429))).toBe(true);
    expect(registryErrorIsTransient(new RegistryHttpError("oops", 503))).toBe(true);
    expect(registryErrorIsTransient(new RegistryHttpError("refused", 401))).toBe(false);
    expect(registryErrorIsTransient(new RegistryHttpError("invalid", 400))).toBe(false);
    expect(registryErrorIsTransient(new Error("read ECONNRESET"))).toBe(true);
  });

  it("backs off doubling, reports each retry, and gives up after the attempt budget", async () => {
    const slept: number[] = [];
    const retries: number[] = [];
    let calls = 0;
    const error = await withRegistryRetries(
      async () => {
        calls++;
        throw new RegistryHttpError("the registry answered HTTP 502", 502);
      },
      { attempts: 3, backoffMs: 100, sleep: async (ms) => void slept.push(ms), onRetry: (r) => void retries.push(r.attempt) },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryHttpError);
    expect(calls).toBe(3);
    expect(slept).toEqual([100, 200]);
    expect(retries).toEqual([2, 3]);
  });

  it("returns the first success and does not retry a refusal", async () => {
    let calls = 0;
    expect(await withRegistryRetries(async () => (++calls < 2 ? Promise.reject(new RegistryHttpError("x", 500)) : "ok"), { sleep: async () => {} })).toBe("ok");
    calls = 0;
    await expect(withRegistryRetries(async () => { calls++; throw new RegistryHttpError("denied", 403); }, { sleep: async () => {} })).rejects.toThrow("denied");
    expect(calls).toBe(1);
  });

  it("stops before the next call once the signal is aborted", async () => {
    const controller = new AbortController();
    let calls = 0;
    const error = await withRegistryRetries(
      async () => {
        calls++;
        throw new RegistryHttpError("the registry answered HTTP 503", 503);
      },
      { sleep: async () => controller.abort(new Error("interrupted")) , signal: controller.signal },
    ).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect((error as Error).message).toBe("interrupted");
  });
});
