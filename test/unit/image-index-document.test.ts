import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { RunnerKitError } from "../../src/common/errors.js";
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, indexDocument, OCI_INDEX, OCI_MANIFEST, readIndexDocument, type PlatformImage } from "../../src/push/index-document.js";
import { imageManifest } from "../../src/push/push-by-digest.js";

const d = (c: string) => `sha256:${c.repeat(64)}`;
const amd64: PlatformImage = { digest: d("a"), size: 1234, mediaType: OCI_MANIFEST, platform: { os: "linux", architecture: "amd64" } };
const arm64: PlatformImage = { digest: d("b"), size: 987, mediaType: DOCKER_MANIFEST, platform: { os: "linux", architecture: "aarch64", variant: "v8" } };
const armv7: PlatformImage = { digest: d("c"), size: 555, mediaType: OCI_MANIFEST, platform: { os: "linux", architecture: "arm" } };

describe("indexDocument", () => {
  it("lists each platform's manifest (media type, digest, size, normalised platform) in order, and its digest is its bytes'", () => {
    const index = indexDocument([amd64, arm64, armv7]);
    const text = new TextDecoder().decode(index.body);
    expect(JSON.parse(text)).toEqual({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        { mediaType: OCI_MANIFEST, digest: d("a"), size: 1234, platform: { architecture: "amd64", os: "linux" } },
        { mediaType: DOCKER_MANIFEST, digest: d("b"), size: 987, platform: { architecture: "arm64", os: "linux" } },
        { mediaType: OCI_MANIFEST, digest: d("c"), size: 555, platform: { architecture: "arm", os: "linux", variant: "v7" } },
      ],
    });
    expect(index.mediaType).toBe(OCI_INDEX);
    expect(index.size).toBe(Buffer.byteLength(text));
    expect(index.digest).toBe(`sha256:${createHash("sha256").update(text).digest("hex")}`);
  });

  it("is deterministic: the same images give the same digest, another order another", () => {
    expect(indexDocument([amd64, arm64]).digest).toBe(indexDocument([{ ...amd64 }, { ...arm64 }]).digest);
    expect(indexDocument([arm64, amd64]).digest).not.toBe(indexDocument([amd64, arm64]).digest);
  });

  it.each([
    ["no images", [], /at least one platform image/],
    ["a bad digest", [{ ...amd64, digest: "sha256:abc" }], /"sha256:abc" is not a sha256 digest/],
    ["a zero size", [{ ...amd64, size: 0 }], /size 0 is not a positive whole number/],
    ["a nested index", [{ ...amd64, mediaType: OCI_INDEX }], /an index entry must be one of/],
    ["one platform twice", [arm64, { ...arm64, digest: d("e"), platform: { os: "linux", architecture: "arm64" } }], /the platform linux\/arm64 is listed twice/],
  ])("refuses %s", (_what, images, why) => {
    expect(() => indexDocument(images as PlatformImage[])).toThrow(RunnerKitError);
    expect(() => indexDocument(images as PlatformImage[])).toThrow(why);
  });
});

describe("readIndexDocument", () => {
  it("reads back what indexDocument wrote", () => {
    const index = indexDocument([amd64, arm64]);
    expect(readIndexDocument(index.body)).toEqual([amd64, { ...arm64, platform: { os: "linux", architecture: "arm64" } }]);
  });

  it("accepts a Docker manifest list and leaves out attestation entries (unknown/unknown)", () => {
    const list = JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST_LIST,
      manifests: [
        { mediaType: DOCKER_MANIFEST, digest: d("a"), size: 10, platform: { os: "linux", architecture: "arm", variant: "v6" } },
        { mediaType: OCI_MANIFEST, digest: d("f"), size: 11, platform: { os: "unknown", architecture: "unknown" } },
      ],
    });
    expect(readIndexDocument(list)).toEqual([{ mediaType: DOCKER_MANIFEST, digest: d("a"), size: 10, platform: { os: "linux", architecture: "arm", variant: "v6" } }]);
  });

  it("refuses a single-image manifest", () => {
    expect(() => readIndexDocument(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST }))).toThrow(/not an image index or manifest list/);
  });
});

describe("imageManifest (a pushed-by-digest image)", () => {
  it("is an OCI manifest naming the daemon's config and the gzipped layers", () => {
    const config = { bytes: new TextEncoder().encode('{"architecture":"arm64"}'), digest: d("1") };
    const body = imageManifest({ config, layers: [{ path: "/x", digest: d("2"), size: 42 }] });
    expect(JSON.parse(new TextDecoder().decode(body))).toEqual({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: d("1"), size: 24 },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: d("2"), size: 42 }],
    });
  });
});
