import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { parseSshFlag, parseSshFlags } from "../../src/bake/build-ssh.js";
import { explainMissingSsh, missingSshText, sshMethods } from "../../src/builder/buildkit/ssh-service.js";
import { RunnerKitError } from "../../src/common/errors.js";
import { sessionHarness } from "../support/session-harness.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "rk-ssh-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A stand-in agent on a unix socket: answers each chunk with "agent:" + the chunk, and records what it got. */
async function fakeAgent(path: string): Promise<{ got: Buffer[]; closed: Promise<void> }> {
  const got: Buffer[] = [];
  let closed!: () => void;
  const done = new Promise<void>((resolve) => (closed = resolve));
  const server: Server = createServer((socket) => {
    socket.on("data", (chunk: Buffer) => {
      got.push(chunk);
      socket.write(Buffer.concat([Buffer.from("agent:"), chunk]));
    });
    socket.on("close", () => closed());
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  cleanups.push(() => server.close());
  return { got, closed: done };
}

function usage(fn: () => unknown): RunnerKitError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RunnerKitError);
    expect((error as RunnerKitError).exitCode).toBe(2);
    return error as RunnerKitError;
  }
  throw new Error("expected a usage error");
}

describe("--ssh flags", () => {
  it("default and a bare id take SSH_AUTH_SOCK; ID=SOCKET names a socket, relative to the current directory", async () => {
    const dir = scratch();
    await fakeAgent(join(dir, "agent.sock"));
    await fakeAgent(join(dir, "other.sock"));
    const env = { SSH_AUTH_SOCK: join(dir, "agent.sock") };
    expect(parseSshFlags(["default", "gitlab", "other=other.sock"], dir, env)).toEqual({
      default: join(dir, "agent.sock"),
      gitlab: join(dir, "agent.sock"),
      other: join(dir, "other.sock"),
    });
    // A later flag with the same id wins.
    expect(parseSshFlags(["default", "default=other.sock"], dir, env)).toEqual({ default: join(dir, "other.sock") });
  });

  it("no agent is exit 2 saying how to start one or name its socket", () => {
    const error = usage(() => parseSshFlag("default", "/", {}));
    expect(error.message).toBe("--ssh default: SSH_AUTH_SOCK is not set, so there is no SSH agent to forward");
    expect(error.hint).toMatch(/ssh-agent.*ssh-add.*--ssh default=SOCKET/);
  });

  it("a key file, a missing path, a list and a bad id are refused with what to do", () => {
    const dir = scratch();
    writeFileSync(join(dir, "id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----\n");
    const key = usage(() => parseSshFlag("default=id_ed25519", dir, {}));
    expect(key.message).toBe(`--ssh default=id_ed25519: ${join(dir, "id_ed25519")} is a file, not an SSH agent's socket: runner-kit forwards an agent, never a key file`);
    expect(key.hint).toContain(`ssh-add ${join(dir, "id_ed25519")}`);
    expect(usage(() => parseSshFlag("default", dir, { SSH_AUTH_SOCK: join(dir, "gone.sock") })).message).toBe(`--ssh default: ${join(dir, "gone.sock")} (SSH_AUTH_SOCK) does not exist`);
    expect(usage(() => parseSshFlag("default=a,b", dir, {})).message).toMatch(/one SSH agent socket per id/);
    expect(usage(() => parseSshFlag("no way=x", dir, {})).message).toMatch(/"no way" is not an ssh id/);
  });
});

describe("the session's SSH service over gRPC", () => {
  it("CheckAgent answers a given id and NOT_FOUND for another, naming it and how to give it", async () => {
    const missing = new Set<string>();
    const h = await sessionHarness(sshMethods({ agents: { default: "/nowhere.sock" }, missing }));
    cleanups.push(() => h.close());
    const check = (id: string) => h.call("/moby.sshforward.v1.SSH/CheckAgent", "CheckAgentRequest", undefined, { ID: id });
    await expect(check("default")).resolves.toEqual({});
    await expect(check("")).resolves.toEqual({});
    await expect(check("gitlab")).rejects.toMatchObject({ code: grpc.status.NOT_FOUND, details: missingSshText("gitlab", ["default"]) });
    expect([...missing]).toEqual(["gitlab"]);
  });

  it("ForwardAgent joins the stream to the agent named by the call's id, both ways, and closes the agent connection when the build step ends", async () => {
    const dir = scratch();
    const gitlab = await fakeAgent(join(dir, "gitlab.sock"));
    const h = await sessionHarness(sshMethods({ agents: { default: join(dir, "none.sock"), gitlab: join(dir, "gitlab.sock") } }));
    cleanups.push(() => h.close());
    const stream = h.stream("/moby.sshforward.v1.SSH/ForwardAgent", "BytesMessage", { "buildkit.ssh.id": "gitlab" });
    const answers: Buffer[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      stream.on("data", (m: { data: Uint8Array }) => answers.push(Buffer.from(m.data)));
      stream.on("end", resolve);
      stream.on("error", reject);
    });
    stream.write({ data: Buffer.from("\x00\x00\x00\x01\x0b") });
    await new Promise<void>((resolve) => stream.once("data", () => resolve()));
    stream.end();
    await ended;
    await gitlab.closed;
    expect(Buffer.concat(gitlab.got).toString("latin1")).toBe("\x00\x00\x00\x01\x0b");
    expect(Buffer.concat(answers).toString("latin1")).toBe("agent:\x00\x00\x00\x01\x0b");
  });

  it("ForwardAgent for an id nobody gave is NOT_FOUND; an agent that cannot be reached is UNAVAILABLE naming its socket", async () => {
    const dir = scratch();
    const h = await sessionHarness(sshMethods({ agents: { default: join(dir, "none.sock") } }));
    cleanups.push(() => h.close());
    const failure = (id: string) =>
      new Promise<grpc.ServiceError>((resolve) => {
        const stream = h.stream("/moby.sshforward.v1.SSH/ForwardAgent", "BytesMessage", id ? { "buildkit.ssh.id": id } : {});
        stream.on("data", () => {});
        stream.on("error", resolve);
      });
    expect(await failure("other")).toMatchObject({ code: grpc.status.NOT_FOUND, details: missingSshText("other", ["default"]) });
    expect(await failure("")).toMatchObject({ code: grpc.status.UNAVAILABLE, details: `cannot reach the SSH agent "default" at ${join(dir, "none.sock")} (ENOENT)` });
  });
});

describe("a required ssh mount nobody gave an agent for", () => {
  it("is told with its id, the ids given and how to give it; other errors are left alone", () => {
    const missing = new Set(["default"]);
    expect(explainMissingSsh('failed to solve: no SSH key "default" forwarded from the client', missing, [])).toBe(
      `${missingSshText("default", [])} (the daemon said: failed to solve: no SSH key "default" forwarded from the client)`,
    );
    expect(missingSshText("default", [])).toBe(
      'the build requires the SSH agent "default" (RUN --mount=type=ssh,required=true) and runner-kit was given none by that id; forward an agent with --ssh default (the agent in SSH_AUTH_SOCK)',
    );
    const passedThrough = `rpc error: code = NotFound desc = ${missingSshText("default", [])}`;
    expect(explainMissingSsh(passedThrough, missing, [])).toBe(passedThrough);
    expect(explainMissingSsh("process did not complete successfully", missing, [])).toBe("process did not complete successfully");
  });
});
