import { describe, expect, it } from "vitest";
import { daemonAddressFromEnv } from "../../src/engine/address.js";
import { connectDocker, pingDocker } from "../../src/engine/client.js";
import { RunnerKitError } from "../../src/common/errors.js";

describe("daemonAddressFromEnv", () => {
  it("defaults to the local socket", () => {
    expect(daemonAddressFromEnv({})).toMatchObject({ kind: "unix", socketPath: "/var/run/docker.sock" });
  });
  it("reads unix:// and tcp:// with TLS as the Docker CLI does", () => {
    expect(daemonAddressFromEnv({ DOCKER_HOST: "unix:///run/user/1000/docker.sock" })).toMatchObject({
      kind: "unix",
      socketPath: "/run/user/1000/docker.sock",
    });
    expect(daemonAddressFromEnv({ DOCKER_HOST: "tcp://docker:2376", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: "/certs/client" })).toEqual({
      kind: "tcp",
      host: "docker",
      port: 2376,
      tls: { certPath: "/certs/client", verify: true },
      display: "tcp://docker:2376",
    });
    expect(daemonAddressFromEnv({ DOCKER_HOST: "tcp://10.0.0.5" })).toMatchObject({ port: 2375, tls: undefined });
    expect(daemonAddressFromEnv({ DOCKER_HOST: "ssh://ci@build-host" })).toMatchObject({ kind: "ssh", username: "ci", port: 22 });
  });
  it("rejects unknown schemes with a clear error", () => {
    expect(() => daemonAddressFromEnv({ DOCKER_HOST: "ftp://x" })).toThrow(/unsupported scheme ftp:/);
  });
});

describe("pingDocker", () => {
  it("names the address when no daemon answers", async () => {
    const conn = await connectDocker({ DOCKER_HOST: "unix:///nonexistent/runner-kit.sock" });
    const error = await pingDocker(conn).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnerKitError);
    expect((error as RunnerKitError).toParagraph()).toMatch(
      /^no Docker daemon answers at unix:\/\/\/nonexistent\/runner-kit\.sock \(.+\)\. Start one/,
    );
    expect((error as RunnerKitError).exitCode).toBe(2);
  });
});
