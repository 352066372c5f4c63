/**
 * The session's `moby.sshforward.v1.SSH` service: `RUN --mount=type=ssh[,id=…]` reaches an
 * SSH agent of the user's through the build's session. `CheckAgent` says whether an id was
 * given (`--ssh default`, `--ssh ID=SOCKET`); `ForwardAgent` is a bidirectional stream of
 * byte chunks (the agent protocol, untouched) that runner-kit joins to the agent's unix
 * socket. The id of a forward comes in the call's metadata (`buildkit.ssh.id`, else
 * "default"). Keys never leave the agent: only its answers travel, and only to the build step.
 *
 * An id nobody gave is answered NOT_FOUND, as the docker CLI's session does: BuildKit then
 * skips a mount that is not `required=true` and fails one that is; the ids asked for and
 * not given are recorded so the failure can say how to give them.
 */
import { connect, type Socket } from "node:net";
import { GrpcCode, SessionCallError, type SessionMethod, type SessionStream } from "./session.js";

/** The metadata key BuildKit names a forward's id with (session/sshforward). */
const SSH_ID_KEY = "buildkit.ssh.id";
const DEFAULT_ID = "default";

export interface SshServiceOptions {
  /** Agent sockets by ssh id. */
  agents: Record<string, string>;
  /** Each id the build asked for and nobody gave is added here. */
  missing?: Set<string>;
  /** Opens an agent's socket (default: a unix socket connection). */
  connectAgent?: (path: string) => Socket;
}

/** The sentence that names an ssh id nobody gave, the ids that were given, and how to give it. */
export function missingSshText(id: string, given: readonly string[]): string {
  return (
    `the build requires the SSH agent "${id}" (RUN --mount=type=ssh${id === DEFAULT_ID ? "" : `,id=${id}`},required=true) and runner-kit was given none by that id` +
    (given.length > 0 ? ` (it has: ${given.join(", ")})` : "") +
    `; forward an agent with --ssh ${id === DEFAULT_ID ? "default (the agent in SSH_AUTH_SOCK)" : `${id}=SOCKET`}`
  );
}

/**
 * A build error caused by a required ssh mount nobody gave an agent for, told with its id
 * and how to give it; any other error (and one that already carries runner-kit's own
 * NOT_FOUND answer) unchanged. Without the service BuildKit says "no SSH key "<id>" forwarded from the client".
 */
export function explainMissingSsh(error: string, missing: ReadonlySet<string>, given: readonly string[]): string {
  for (const id of missing) {
    const text = missingSshText(id, given);
    if (!error.includes(text) && error.includes(`"${id}"`)) return `${text} (the daemon said: ${error})`;
  }
  return error;
}

function agentFor(id: string, options: SshServiceOptions): string {
  const path = Object.hasOwn(options.agents, id) ? options.agents[id] : undefined;
  if (path === undefined) {
    options.missing?.add(id);
    throw new SessionCallError(GrpcCode.notFound, missingSshText(id, Object.keys(options.agents)));
  }
  return path;
}

/** Join one ForwardAgent stream to the agent's socket until either side ends. */
function forward(stream: SessionStream, options: SshServiceOptions): void {
  const id = String(stream.metadata.get(SSH_ID_KEY)[0] ?? "") || DEFAULT_ID;
  let path: string;
  try {
    path = agentFor(id, options);
  } catch (error) {
    stream.emit("error", { code: (error as SessionCallError).code, details: (error as Error).message });
    return;
  }
  const agent = (options.connectAgent ?? ((p: string) => connect(p)))(path);
  let done = false;
  const finish = (error?: Error) => {
    if (done) return;
    done = true;
    agent.destroy();
    if (error) stream.emit("error", { code: GrpcCode.unavailable, details: `cannot reach the SSH agent "${id}" at ${path} (${(error as NodeJS.ErrnoException).code ?? error.message})` });
    else stream.end();
  };
  stream.on("data", (message: { data?: Uint8Array }) => {
    if (!done && message.data?.length) agent.write(message.data);
  });
  agent.on("data", (chunk: Buffer) => {
    if (!done) stream.write({ data: chunk });
  });
  // The build step closed its end (the client in the step is done): close the agent connection.
  stream.on("end", () => finish());
  stream.on("error", () => finish());
  stream.on("close", () => finish());
  agent.on("end", () => finish());
  agent.on("error", (error) => finish(error));
}

export function sshMethods(options: SshServiceOptions): SessionMethod[] {
  return [
    {
      path: "/moby.sshforward.v1.SSH/CheckAgent",
      request: "CheckAgentRequest",
      async handle(request) {
        agentFor(String(request.ID ?? "") || DEFAULT_ID, options);
        return {};
      },
    },
    {
      path: "/moby.sshforward.v1.SSH/ForwardAgent",
      request: "BytesMessage",
      response: "BytesMessage",
      serve: (stream) => forward(stream, options),
    },
  ];
}
