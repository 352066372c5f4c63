import { registryTransport, type FetchLike } from "./registry-transport.js";

/**
 * Just enough of the registry's v2 HTTP API to read manifests back after a push and to
 * find an image's labels without pulling it: anonymous first, then the challenge the
 * registry answers with (Basic, or the Bearer token flow).
 */
export interface RegistryEndpoint {
  /** Registry domain as in an image reference ("docker.io", "127.0.0.1:5000"). */
  domain: string;
  /** Plain HTTP (the daemon trusts loopback and configured insecure registries). */
  insecure: boolean;
  username?: string;
  password?: string;
  /** Identity token (OAuth refresh token) instead of a password. */
  identityToken?: string;
}

export class RegistryHttpError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
    this.name = "RegistryHttpError";
  }
}

export const MANIFEST_TYPES = [
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.index.v1+json",
];

export type { FetchLike } from "./registry-transport.js";

function baseUrl(endpoint: RegistryEndpoint): string {
  const host = endpoint.domain === "docker.io" ? "registry-1.docker.io" : endpoint.domain;
  return `${endpoint.insecure ? "http" : "https"}://${host}`;
}

function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(" ");
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!.toLowerCase()] = m[2]!;
  return { scheme, params };
}

export class RegistryClient {
  private authorization: string | undefined;

  /** Without a fetch, requests honour the proxy variables and /etc/docker/certs.d (registryTransport over process.env). */
  constructor(
    private readonly endpoint: RegistryEndpoint,
    private readonly fetchFn: FetchLike = registryTransport({ env: process.env }),
  ) {}

  private basic(): string | undefined {
    const { username, password } = this.endpoint;
    return username !== undefined && password !== undefined ? `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` : undefined;
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    try {
      const headers = { ...(init.headers as Record<string, string>), ...(this.authorization ? { Authorization: this.authorization } : {}) };
      return await this.fetchFn(url, { ...init, headers });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
      throw new RegistryHttpError(`cannot reach the registry ${this.endpoint.domain} (${why})`, undefined);
    }
  }

  private async authorize(challenge: string): Promise<boolean> {
    const { scheme, params } = parseChallenge(challenge);
    if (scheme === "basic") {
      this.authorization = this.basic();
      return this.authorization !== undefined;
    }
    if (scheme !== "bearer" || !params.realm) return false;
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set("service", params.service);
    if (params.scope) url.searchParams.set("scope", params.scope);
    const init: RequestInit = { headers: {} };
    if (this.endpoint.identityToken) {
      url.searchParams.set("grant_type", "refresh_token");
      init.method = "POST";
      init.headers = { "Content-Type": "application/x-www-form-urlencoded" };
      init.body = new URLSearchParams({ grant_type: "refresh_token", refresh_token: this.endpoint.identityToken, service: params.service ?? "", scope: params.scope ?? "" }).toString();
    } else if (this.basic()) {
      init.headers = { Authorization: this.basic()! };
    }
    let res: Response;
    try {
      res = await this.fetchFn(url.toString(), init);
    } catch (error) {
      throw new RegistryHttpError(`cannot reach the token service ${url.origin} of ${this.endpoint.domain} (${error instanceof Error ? error.message : String(error)})`, undefined);
    }
    if (!res.ok) return false;
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) return false;
    this.authorization = `Bearer ${token}`;
    return true;
  }

  /** A request to /v2/…, answering the registry's auth challenge once. */
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const url = `${baseUrl(this.endpoint)}${path}`;
    let res = await this.send(url, init);
    if (res.status === 401) {
      const challenge = res.headers.get("www-authenticate") ?? "";
      await res.body?.cancel();
      if (await this.authorize(challenge)) res = await this.send(url, init);
    }
    return res;
  }

  /** The manifest digest of repository:reference, or undefined when the registry has none. */
  async manifestDigest(repositoryPath: string, reference: string): Promise<string | undefined> {
    const res = await this.request(`/v2/${repositoryPath}/manifests/${reference}`, { method: "HEAD", headers: { Accept: MANIFEST_TYPES.join(", ") } });
    if (res.status === 404) return undefined;
    this.check(res, repositoryPath, reference);
    return res.headers.get("docker-content-digest") ?? undefined;
  }

  /** The image config labels of repository:reference (first platform of an index), or undefined when absent. */
  async imageLabels(repositoryPath: string, reference: string): Promise<{ digest: string | undefined; labels: Record<string, string> } | undefined> {
    const res = await this.request(`/v2/${repositoryPath}/manifests/${reference}`, { headers: { Accept: MANIFEST_TYPES.join(", ") } });
    if (res.status === 404) return undefined;
    this.check(res, repositoryPath, reference);
    const digest = res.headers.get("docker-content-digest") ?? undefined;
    let manifest = (await res.json()) as { manifests?: { digest: string }[]; config?: { digest: string } };
    if (manifest.manifests?.[0]) {
      const child = await this.request(`/v2/${repositoryPath}/manifests/${manifest.manifests[0].digest}`, { headers: { Accept: MANIFEST_TYPES.join(", ") } });
      this.check(child, repositoryPath, manifest.manifests[0].digest);
      manifest = (await child.json()) as typeof manifest;
    }
    if (!manifest.config) return { digest, labels: {} };
    const blob = await this.request(`/v2/${repositoryPath}/blobs/${manifest.config.digest}`);
    this.check(blob, repositoryPath, manifest.config.digest);
    const config = (await blob.json()) as { config?: { Labels?: Record<string, string> | null } };
    return { digest, labels: config.config?.Labels ?? {} };
  }

  private check(res: Response, repositoryPath: string, reference: string): void {
    if (res.ok) return;
    const what = `${this.endpoint.domain}/${repositoryPath}:${reference}`;
    if (res.status === 401 || res.status === 403) {
      throw new RegistryHttpError(`the registry ${this.endpoint.domain} refused access to ${what} (HTTP ${res.status})`, res.status);
    }
    throw new RegistryHttpError(`the registry ${this.endpoint.domain} answered HTTP ${res.status} for ${what}`, res.status);
  }

  // --- Writing (multi-platform pushes): manifests and blobs through the v2 API ---------

  /** A manifest exactly as stored (its bytes decide its digest), or undefined when the registry has none. */
  async getManifest(repositoryPath: string, reference: string): Promise<StoredManifest | undefined> {
    const res = await this.request(`/v2/${repositoryPath}/manifests/${reference}`, { headers: { Accept: MANIFEST_TYPES.join(", ") } });
    if (res.status === 404) return undefined;
    this.check(res, repositoryPath, reference);
    const body = new Uint8Array(await res.arrayBuffer());
    return { digest: res.headers.get("docker-content-digest") ?? undefined, mediaType: (res.headers.get("content-type") ?? "").split(";")[0]!.trim(), body };
  }

  /** PUT a manifest under a digest or a tag; the digest the registry reports. A refusal carries the registry's own error text. */
  async putManifest(repositoryPath: string, reference: string, mediaType: string, body: Uint8Array): Promise<string | undefined> {
    const res = await this.request(`/v2/${repositoryPath}/manifests/${reference}`, { method: "PUT", headers: { "Content-Type": mediaType }, body });
    if (!res.ok) throw await this.refusal(res, `the manifest ${this.endpoint.domain}/${repositoryPath}:${reference}`);
    await res.body?.cancel();
    return res.headers.get("docker-content-digest") ?? undefined;
  }

  /** Whether the repository already holds a blob. */
  async blobExists(repositoryPath: string, digest: string): Promise<boolean> {
    const res = await this.request(`/v2/${repositoryPath}/blobs/${digest}`, { method: "HEAD" });
    if (res.status === 404) return false;
    this.check(res, repositoryPath, digest);
    return true;
  }

  /** Upload a blob (POST a session, then one monolithic PUT with its digest); `body` is called once per attempt. */
  async uploadBlob(repositoryPath: string, digest: string, size: number, body: () => Uint8Array | NodeJS.ReadableStream): Promise<void> {
    const start = await this.request(`/v2/${repositoryPath}/blobs/uploads/`, { method: "POST", headers: { "Content-Length": "0" } });
    const what = `the blob ${digest} for ${this.endpoint.domain}/${repositoryPath}`;
    if (start.status !== 202) throw await this.refusal(start, `an upload of ${what}`);
    await start.body?.cancel();
    const location = new URL(start.headers.get("location") ?? "", `${baseUrl(this.endpoint)}/`);
    location.searchParams.set("digest", digest);
    const init = { method: "PUT", headers: { "Content-Type": "application/octet-stream", "Content-Length": String(size) }, body: body(), duplex: "half" };
    const res = await this.request(`${location.pathname}${location.search}`, init as unknown as RequestInit);
    if (res.status !== 201) throw await this.refusal(res, what);
    await res.body?.cancel();
  }

  /** The repository's tags (empty when it does not exist). */
  async tags(repositoryPath: string): Promise<string[]> {
    const res = await this.request(`/v2/${repositoryPath}/tags/list`);
    if (res.status === 404) return [];
    this.check(res, repositoryPath, "tags/list");
    return ((await res.json()) as { tags?: string[] | null }).tags ?? [];
  }

  /** A refused write as one error: registry, what, the HTTP status and the registry's own error codes and messages. */
  private async refusal(res: Response, what: string): Promise<RegistryHttpError> {
    const text = await res.text().catch(() => "");
    let said = text.trim().slice(0, 500);
    try {
      const errors = (JSON.parse(text) as { errors?: { code?: string; message?: string; detail?: unknown }[] }).errors ?? [];
      if (errors.length > 0) said = errors.map((e) => [e.code, e.message].filter(Boolean).join(": ") + (e.detail ? ` (${JSON.stringify(e.detail).slice(0, 200)})` : "")).join("; ");
    } catch {
      // not JSON: the text as it came
    }
    return new RegistryHttpError(`the registry ${this.endpoint.domain} refused ${what} with HTTP ${res.status}${said ? `: ${said}` : ""}`, res.status);
  }
}

export interface StoredManifest {
  digest: string | undefined;
  mediaType: string;
  body: Uint8Array;
}
