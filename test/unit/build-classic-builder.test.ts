import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RegistryCredential } from "../../src/auth/types.js";
import { ClassicBuilder } from "../../src/builder/classic.js";
import { listContextFiles } from "../../src/builder/context-files.js";
import { INJECTED_DOCKERFILE } from "../../src/builder/context.js";
import { BuildKitBuilder } from "../../src/builder/buildkit/buildkit-builder.js";
import { createImageBuilder } from "../../src/builder/factory.js";
import type { BuildRequest } from "../../src/builder/image-builder.js";
import { tarEntries } from "../support/tar.js";

let dir: string;
beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), "rk-classic-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A "daemon" that records what POST /build received and answers with a built image. */
function recordingDaemon(seen: { options?: Record<string, unknown>; files?: Promise<Record<string, string>> }): Docker {
  return {
    buildImage: async (context: NodeJS.ReadableStream, options: Record<string, unknown>) => {
      seen.options = options;
      seen.files = tarEntries(context);
      await seen.files;
      const { PassThrough } = await import("node:stream");
      const stream = new PassThrough();
      stream.end(`${JSON.stringify({ stream: "Step 1/1 : FROM busybox\n" })}\n${JSON.stringify({ aux: { ID: "sha256:abc" } })}\n`);
      return stream;
    },
  } as unknown as Docker;
}

const credential: RegistryCredential = { registry: "private.example.com", username: "u", password: "p", serverAddress: "private.example.com", source: "test" };

async function request(extra: Partial<BuildRequest> = {}): Promise<BuildRequest> {
  writeFileSync(join(dir, "motd"), "hello\n");
  return {
    context: { dir, entries: (await listContextFiles(dir)).entries },
    dockerfile: "FROM private.example.com/base:v1\nRUN true\n",
    tags: ["r.example.com/app:v1"],
    buildArgs: { X: "1" },
    labels: { "io.runner-kit.variant": "app" },
    baseImages: ["private.example.com/base:v1", "docker.io/library/busybox:latest"],
    resolveAuth: async (image) => (image.startsWith("private.example.com/") ? credential : undefined),
    ...extra,
  };
}

describe("ClassicBuilder behind the ImageBuilder seam", () => {
  it("sends the context with the Dockerfile added, the labels as a LABEL instruction and the bases' credentials as X-Registry-Config", async () => {
    const seen: Parameters<typeof recordingDaemon>[0] = {};
    const lines: string[] = [];
    const outcome = await new ClassicBuilder(recordingDaemon(seen)).build(await request(), (l) => lines.push(l));
    expect(outcome).toEqual({ imageId: "sha256:abc", tail: [] });
    expect(lines).toEqual(["Step 1/1 : FROM busybox"]);
    const sent = await seen.files!;
    expect(sent.motd).toBe("file:0:hello\n");
    expect(sent[INJECTED_DOCKERFILE]).toBe('file:0:FROM private.example.com/base:v1\nRUN true\nLABEL "io.runner-kit.variant"="app"\n');
    expect(seen.options).toMatchObject({ t: ["r.example.com/app:v1"], dockerfile: INJECTED_DOCKERFILE, buildargs: { X: "1" }, version: "1" });
    expect(seen.options!.labels).toBeUndefined();
    const header = (seen.options!.registryconfig as { base64: string }).base64;
    expect(JSON.parse(Buffer.from(header, "base64url").toString("utf8"))).toEqual({ "private.example.com": { username: "u", password: "p", serveraddress: "private.example.com" } });
  });

  it("sends no X-Registry-Config when no base has credentials, and refuses build secrets in the outcome", async () => {
    const seen: Parameters<typeof recordingDaemon>[0] = {};
    await new ClassicBuilder(recordingDaemon(seen)).build(await request({ resolveAuth: async () => undefined }), () => {});
    expect(seen.options!.registryconfig).toBeUndefined();
    const refused = await new ClassicBuilder(recordingDaemon({})).build(await request({ secrets: { npmrc: { file: "/x" } } }), () => {});
    expect(refused.imageId).toBeUndefined();
    expect(refused.error).toBe("the classic builder cannot mount build secrets (npmrc); build with BuildKit");
  });

  it("is what the factory makes for \"classic\"; \"buildkit\" gets the BuildKit builder", () => {
    const docker = recordingDaemon({});
    expect(createImageBuilder("classic", { docker })).toBeInstanceOf(ClassicBuilder);
    expect(createImageBuilder("buildkit", { docker })).toBeInstanceOf(BuildKitBuilder);
  });
});
