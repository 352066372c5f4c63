import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { discoverDaemon } from "../../src/engine/address.js";
import { connectDocker, pingDocker } from "../../src/engine/client.js";
import type { DiscoveryFs } from "../../src/engine/docker-context.js";
import { RunnerKitError } from "../../src/common/errors.js";

/** A fake disk: files by path, and the paths where a socket exists. */
function fakeFs(files: Record<string, string> = {}, sockets: string[] = []): DiscoveryFs {
  return { readText: (path) => files[path], isSocket: (path) => sockets.includes(path) };
}

const sha = (name: string) => createHash("sha256").update(name).digest("hex");
const meta = (configDir: string, name: string, host: string, skip = false) => ({
  [`${configDir}/contexts/meta/${sha(name)}/meta.json`]: JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: skip } } }),
});

const HOME = "/home/ada";
const base = { HOME };

describe("discoverDaemon: DOCKER_HOST", () => {
  it("reads unix:// and tcp:// with TLS as the Docker CLI does", () => {
    expect(discoverDaemon({ DOCKER_HOST: "unix:///run/user/1000/docker.sock" }, fakeFs())).toMatchObject({
      kind: "unix",
      socketPath: "/run/user/1000/docker.sock",
    });
    expect(discoverDaemon({ DOCKER_HOST: "tcp://docker:2376", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: "/certs/client" }, fakeFs())).toEqual({
      kind: "tcp",
      host: "docker",
      port: 2376,
      tls: { certPath: "/certs/client", verify: true, source: "env" },
      display: "tcp://docker:2376",
      tried: ["DOCKER_HOST=tcp://docker:2376"],
    });
    expect(discoverDaemon({ DOCKER_HOST: "tcp://10.0.0.5" }, fakeFs())).toMatchObject({ port: 2375, tls: undefined });
    expect(discoverDaemon({ DOCKER_HOST: "ssh://ci@build-host" }, fakeFs())).toMatchObject({ kind: "ssh", username: "ci", port: 22 });
  });
  it("takes the default cert path from DOCKER_CONFIG, else $HOME/.docker", () => {
    const env = { ...base, DOCKER_HOST: "tcp://docker:2376", DOCKER_TLS_VERIFY: "1" };
    expect(discoverDaemon(env, fakeFs())).toMatchObject({ tls: { certPath: `${HOME}/.docker` } });
    expect(discoverDaemon({ ...env, DOCKER_CONFIG: "/etc/ci-docker" }, fakeFs())).toMatchObject({ tls: { certPath: "/etc/ci-docker" } });
  });
  it("wins over DOCKER_CONTEXT and the current context, which are not read", () => {
    const fs = fakeFs({ [`${HOME}/.docker/config.json`]: "{not json" });
    expect(discoverDaemon({ ...base, DOCKER_HOST: "unix:///a.sock", DOCKER_CONTEXT: "missing" }, fs)).toMatchObject({ socketPath: "/a.sock" });
  });
  it("rejects unknown schemes with a clear error", () => {
    expect(() => discoverDaemon({ DOCKER_HOST: "ftp://x" }, fakeFs())).toThrow(/unsupported scheme ftp:/);
  });
});

describe("discoverDaemon: contexts", () => {
  const dir = `${HOME}/.docker`;
  it("DOCKER_CONTEXT names a context whose endpoint is read from contexts/meta/<sha256>/meta.json", () => {
    const address = discoverDaemon({ ...base, DOCKER_CONTEXT: "colima" }, fakeFs(meta(dir, "colima", "unix:///home/ada/.colima/default/docker.sock")));
    expect(address).toMatchObject({ kind: "unix", socketPath: "/home/ada/.colima/default/docker.sock" });
    expect(address.tried).toEqual([
      "DOCKER_HOST (not set)",
      `DOCKER_CONTEXT: context "colima" → unix:///home/ada/.colima/default/docker.sock (${dir}/contexts/meta/${sha("colima")}/meta.json)`,
    ]);
  });
  it("DOCKER_CONTEXT wins over currentContext; currentContext is used when it is not set", () => {
    const files = {
      [`${dir}/config.json`]: JSON.stringify({ currentContext: "remote" }),
      ...meta(dir, "remote", "tcp://build-host:2375"),
      ...meta(dir, "local", "unix:///x.sock"),
    };
    expect(discoverDaemon({ ...base, DOCKER_CONTEXT: "local" }, fakeFs(files))).toMatchObject({ socketPath: "/x.sock" });
    expect(discoverDaemon(base, fakeFs(files))).toMatchObject({ kind: "tcp", host: "build-host", port: 2375, tls: undefined });
  });
  it("reads config.json and the contexts from DOCKER_CONFIG when it is set", () => {
    const files = { "/ci/docker/config.json": JSON.stringify({ currentContext: "ci" }), ...meta("/ci/docker", "ci", "unix:///ci.sock") };
    expect(discoverDaemon({ ...base, DOCKER_CONFIG: "/ci/docker" }, fakeFs(files))).toMatchObject({ socketPath: "/ci.sock" });
  });
  it("uses the context's TLS folder; SkipTLSVerify turns verification off", () => {
    const tlsDir = `${dir}/contexts/tls/${sha("secure")}/docker`;
    const files = { ...meta(dir, "secure", "tcp://10.1.2.3:2376"), [`${tlsDir}/ca.pem`]: "CA" };
    expect(discoverDaemon({ ...base, DOCKER_CONTEXT: "secure" }, fakeFs(files))).toMatchObject({
      kind: "tcp",
      port: 2376,
      tls: { certPath: tlsDir, verify: true, source: "context" },
    });
    const skip = meta(dir, "lab", "tcp://10.1.2.4:2376", true);
    expect(discoverDaemon({ ...base, DOCKER_CONTEXT: "lab" }, fakeFs(skip))).toMatchObject({ tls: { verify: false, source: "context" } });
  });
  it("the context \"default\" means the default socket", () => {
    const address = discoverDaemon({ ...base, DOCKER_CONTEXT: "default" }, fakeFs({}, ["/var/run/docker.sock"]));
    expect(address).toMatchObject({ socketPath: "/var/run/docker.sock" });
  });
  it("a context that does not exist is a configuration error naming the file looked for", () => {
    const error = (() => {
      try {
        discoverDaemon({ ...base, DOCKER_CONTEXT: "gone" }, fakeFs());
      } catch (e) {
        return e as RunnerKitError;
      }
    })();
    expect(error).toBeInstanceOf(RunnerKitError);
    expect(error!.exitCode).toBe(2);
    expect(error!.toParagraph()).toContain(`the Docker context "gone" (DOCKER_CONTEXT) does not exist: there is no ${dir}/contexts/meta/${sha("gone")}/meta.json`);
  });
  it("a config.json that is not JSON is named", () => {
    expect(() => discoverDaemon(base, fakeFs({ [`${dir}/config.json`]: "{" }))).toThrow(`${dir}/config.json is not valid JSON`);
  });
});

describe("discoverDaemon: sockets", () => {
  const env = { ...base, XDG_RUNTIME_DIR: "/run/user/1000" };
  it("prefers the default socket when it exists", () => {
    expect(discoverDaemon(env, fakeFs({}, ["/var/run/docker.sock", "/run/user/1000/docker.sock"]))).toMatchObject({ socketPath: "/var/run/docker.sock" });
  });
  it("then rootless Docker, Docker Desktop, colima and Rancher Desktop, in that order", () => {
    const all = ["/run/user/1000/docker.sock", `${HOME}/.docker/run/docker.sock`, `${HOME}/.colima/default/docker.sock`, `${HOME}/.rd/docker.sock`];
    for (let i = 0; i < all.length; i++) {
      expect(discoverDaemon(env, fakeFs({}, all.slice(i)))).toMatchObject({ kind: "unix", socketPath: all[i] });
    }
  });
  it("with no socket anywhere, falls back to the default socket and lists every place tried", () => {
    const address = discoverDaemon(env, fakeFs());
    expect(address).toMatchObject({ kind: "unix", socketPath: "/var/run/docker.sock" });
    expect(address.tried).toEqual([
      "DOCKER_HOST (not set)",
      "DOCKER_CONTEXT (not set)",
      `currentContext in ${HOME}/.docker/config.json (not set)`,
      "unix:///var/run/docker.sock (the default socket): no socket there",
      "unix:///run/user/1000/docker.sock (rootless Docker): no socket there",
      `unix://${HOME}/.docker/run/docker.sock (Docker Desktop): no socket there`,
      `unix://${HOME}/.colima/default/docker.sock (colima): no socket there`,
      `unix://${HOME}/.rd/docker.sock (Rancher Desktop): no socket there`,
    ]);
  });
});

describe("pingDocker", () => {
  it("names the address and what was tried when no daemon answers", async () => {
    const conn = await connectDocker({ DOCKER_HOST: "unix:///nonexistent/runner-kit.sock" });
    const error = await pingDocker(conn).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnerKitError);
    expect((error as RunnerKitError).toParagraph()).toMatch(
      /^no Docker daemon answers at unix:\/\/\/nonexistent\/runner-kit\.sock \(.+\); tried, in order: DOCKER_HOST=unix:\/\/\/nonexistent\/runner-kit\.sock\. Start one/,
    );
    expect((error as RunnerKitError).exitCode).toBe(2);
  });
});
