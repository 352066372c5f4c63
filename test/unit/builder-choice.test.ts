import { describe, expect, it } from "vitest";
import { chooseBuilder, daemonHasBuildKit } from "../../src/builder/builder-choice.js";
import { buildQuery, contextSharedKey } from "../../src/builder/buildkit/buildkit-builder.js";
import type { BuildRequest } from "../../src/builder/image-builder.js";
import { RunnerKitError } from "../../src/common/errors.js";

const here = { Version: "20.10.24+dfsg1", ApiVersion: "1.41", Os: "linux" };
const old = { Version: "18.06.3-ce", ApiVersion: "1.38", Os: "linux" };
const windows = { Version: "20.10.9", ApiVersion: "1.41", Os: "windows" };

describe("whether the daemon has BuildKit, from GET /version", () => {
  it("every Linux daemon with API 1.39 or newer", () => {
    expect(daemonHasBuildKit(here)).toBe(true);
    expect(daemonHasBuildKit({ ApiVersion: "1.39", Os: "linux" })).toBe(true);
    expect(daemonHasBuildKit({ ApiVersion: "2.0", Os: "Linux" })).toBe(true);
    expect(daemonHasBuildKit({ ApiVersion: "1.100", Os: "linux" })).toBe(true);
    expect(daemonHasBuildKit(old)).toBe(false);
    expect(daemonHasBuildKit(windows)).toBe(false);
    expect(daemonHasBuildKit({ Os: "linux" })).toBe(false);
    expect(daemonHasBuildKit({ ApiVersion: "garbage", Os: "linux" })).toBe(false);
  });
});

describe("choosing the builder", () => {
  it("BuildKit by default where the daemon has it, classic where it has not", () => {
    expect(chooseBuilder(undefined, here)).toBe("buildkit");
    expect(chooseBuilder(undefined, old)).toBe("classic");
    expect(chooseBuilder(undefined, windows)).toBe("classic");
  });

  it("what is asked for when the daemon can do it; classic always", () => {
    expect(chooseBuilder("buildkit", here)).toBe("buildkit");
    expect(chooseBuilder("classic", here)).toBe("classic");
    expect(chooseBuilder("classic", old)).toBe("classic");
  });

  it("BuildKit asked of a daemon without it is a configuration error naming who asked and the daemon", () => {
    let error: unknown;
    try {
      chooseBuilder("buildkit", old, "--builder buildkit");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RunnerKitError);
    expect((error as RunnerKitError).exitCode).toBe(2);
    expect((error as RunnerKitError).toParagraph()).toBe(
      "--builder buildkit asks for BuildKit and the Docker daemon (Docker 18.06.3-ce, API 1.38, linux) has none. " +
        "BuildKit needs a Linux daemon with Engine API 1.39 or newer (Docker 18.09+): upgrade the daemon, or build with builder: classic (--builder classic) if the Dockerfiles use no BuildKit syntax such as RUN --mount.",
    );
  });
});

describe("the POST /build query of a BuildKit build", () => {
  const request = (extra: Partial<BuildRequest> = {}): BuildRequest => ({
    context: { dir: "/nowhere", entries: [] },
    dockerfile: "FROM busybox\n",
    tags: ["r.example/x:1", "r.example/x:latest"],
    buildArgs: { A: "1" },
    baseImages: [],
    resolveAuth: async () => undefined,
    ...extra,
  });

  it("version 2 with the session and build id, tags, the Dockerfile runner-kit adds to the context, build args; nothing unasked", () => {
    expect(buildQuery(request(), "sess", "bid")).toEqual({
      version: "2",
      session: "sess",
      buildid: "bid",
      t: ["r.example/x:1", "r.example/x:latest"],
      dockerfile: ".runner-kit.Dockerfile",
      buildargs: { A: "1" },
    });
  });

  it("the context served over the session: remote=client-session and the Dockerfile's name in the session's dockerfile dir", () => {
    expect(buildQuery(request(), "sess", "bid", "session")).toEqual({
      version: "2",
      session: "sess",
      buildid: "bid",
      remote: "client-session",
      t: ["r.example/x:1", "r.example/x:latest"],
      dockerfile: "Dockerfile",
      buildargs: { A: "1" },
    });
  });

  it("keeps the daemon's copy of a context under one key per context directory", () => {
    expect(contextSharedKey("/p/ctx")).toBe(contextSharedKey("/p/ctx/"));
    expect(contextSharedKey("/p/ctx")).toMatch(/^[0-9a-f]{64}$/);
    expect(contextSharedKey("/p/ctx")).not.toBe(contextSharedKey("/p/other"));
  });

  it("labels, target, platform, nocache, pull, cache-from as a JSON array and the inline-cache build arg", () => {
    const query = buildQuery(
      request({ labels: { "a.b": "c" }, target: "final", platform: "linux/arm64", noCache: true, pull: true, cacheFrom: ["r.example/x:latest"], inlineCache: true }),
      "s",
      "b",
    );
    expect(query).toMatchObject({
      labels: { "a.b": "c" },
      target: "final",
      platform: "linux/arm64",
      nocache: true,
      pull: true,
      cachefrom: '["r.example/x:latest"]',
      buildargs: { A: "1", BUILDKIT_INLINE_CACHE: "1" },
    });
    expect(query).not.toHaveProperty("remote");
  });

  it("leaves OCI labels the template's built stage sets to the template, as the classic builder does", () => {
    const query = buildQuery(
      request({
        dockerfile: 'FROM busybox\nLABEL org.opencontainers.image.title="mine"\n',
        labels: { "org.opencontainers.image.title": "app", "org.opencontainers.image.version": "1", "io.runner-kit.variant": "app" },
      }),
      "s",
      "b",
    );
    expect(query.labels).toEqual({ "org.opencontainers.image.version": "1", "io.runner-kit.variant": "app" });
  });
});
