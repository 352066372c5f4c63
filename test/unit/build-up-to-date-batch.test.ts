import { describe, expect, it } from "vitest";
import { labelledImagesSnapshot } from "../../src/bake/up-to-date-batch.js";
import type { ImageClient, ListedImage } from "../../src/builder/image-client.js";
import { CONTENT_HASH_LABEL } from "../../src/builder/image-labels.js";
import { lazyImageBuilder } from "../../src/builder/lazy-builder.js";
import type { BuildRequest } from "../../src/builder/image-builder.js";

/** A fake daemon's image store that records every call (pure logic: what is asked, how often). */
function fakeImages(listed: ListedImage[], others: Record<string, { id: string }> = {}) {
  const calls: string[] = [];
  const client: ImageClient = {
    async inspect(ref) {
      calls.push(`inspect ${ref}`);
      const found = others[ref];
      return found ? { id: found.id, labels: {}, repoDigests: [] } : undefined;
    },
    async tag(id, repository, tag) {
      calls.push(`tag ${id} ${repository}:${tag}`);
    },
    async listByLabel(key, value) {
      calls.push(`listByLabel ${key}=${value}`);
      return [];
    },
    async listLabelled(key) {
      calls.push(`listLabelled ${key}`);
      return listed;
    },
  };
  return { client, calls };
}

const image = (id: string, hash: string, repoTags: string[]): ListedImage => ({ id, labels: { [CONTENT_HASH_LABEL]: hash }, repoDigests: [], repoTags });

describe("the up-to-date check's one image list", () => {
  it("answers every variant's inspect and hash lookup from one GET /images/json", async () => {
    const listed = Array.from({ length: 20 }, (_, i) => image(`sha256:${i}`, `sha256:h${i}`, [`reg.example/img${i}:v1`]));
    const { client, calls } = fakeImages(listed);
    const snapshot = labelledImagesSnapshot(client);
    for (let i = 0; i < 20; i++) {
      expect(await snapshot.inspect(`reg.example/img${i}:v1`)).toEqual({ id: `sha256:${i}`, labels: { [CONTENT_HASH_LABEL]: `sha256:h${i}` }, repoDigests: [] });
      expect(await snapshot.listByLabel(CONTENT_HASH_LABEL, `sha256:h${i}`)).toEqual([`sha256:${i}`]);
    }
    expect(calls).toEqual([`listLabelled ${CONTENT_HASH_LABEL}`]);
  });

  it("compares references in Docker's normal form (the daemon lists Docker Hub images by their short names)", async () => {
    const { client, calls } = fakeImages([image("sha256:a", "sha256:ha", ["team/app:latest", "localhost:5000/x:1"])]);
    const snapshot = labelledImagesSnapshot(client);
    expect((await snapshot.inspect("docker.io/team/app"))?.id).toBe("sha256:a");
    expect((await snapshot.inspect("localhost:5000/x:1"))?.id).toBe("sha256:a");
    expect((await snapshot.inspect("sha256:a"))?.id).toBe("sha256:a");
    expect(calls).toHaveLength(1);
  });

  it("asks the daemon for anything the list does not hold (an unlabelled image, a base image), and tags through it", async () => {
    const { client, calls } = fakeImages([], { "busybox:latest": { id: "sha256:bb" } });
    const snapshot = labelledImagesSnapshot(client);
    expect((await snapshot.inspect("busybox:latest"))?.id).toBe("sha256:bb");
    expect(await snapshot.inspect("reg.example/none:v1")).toBeUndefined();
    await snapshot.tag("sha256:bb", "reg.example/app", "v2");
    expect(calls).toEqual([`listLabelled ${CONTENT_HASH_LABEL}`, "inspect busybox:latest", "inspect reg.example/none:v1", "tag sha256:bb reg.example/app:v2"]);
  });
});

describe("the builder made on the first build", () => {
  const request = {} as BuildRequest;

  it("asks which builder (GET /version) only when something is built, and once for the run", async () => {
    let asked = 0;
    const builder = lazyImageBuilder(async () => {
      asked += 1;
      return "classic";
    }, { docker: {} as never });
    expect(asked).toBe(0);
    // The classic builder refuses build secrets before it touches the daemon: proof of which builder was made.
    const outcomes = await Promise.all([1, 2].map(() => builder.build({ ...request, secrets: { token: { env: "T" } } }, () => {})));
    expect(outcomes.map((o) => o.error)).toEqual([expect.stringContaining("the classic builder cannot mount build secrets"), expect.stringContaining("classic builder")]);
    expect(asked).toBe(1);
  });

  it("a refused choice rejects every build with its error", async () => {
    const builder = lazyImageBuilder(() => Promise.reject(new Error("BuildKit asked of a daemon without it")), { docker: {} as never });
    await expect(builder.build(request, () => {})).rejects.toThrow("BuildKit asked");
    await expect(builder.build(request, () => {})).rejects.toThrow("BuildKit asked");
  });
});
