import { statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { BuilderKind } from "../builder/image-builder.js";
import { usageError } from "../common/errors.js";
import { SECRET_ID } from "../project/build-settings-schema.js";

/**
 * SSH agents of a run: `--ssh` flags in the docker CLI's forms, read into an agent socket
 * per id and checked before anything builds. runner-kit forwards agents only (the agent
 * keeps the keys); a key file is refused with how to load it into an agent.
 *
 * `--ssh default` and `--ssh ID` take the agent in SSH_AUTH_SOCK; `--ssh ID=SOCKET` names
 * the agent's socket (relative paths from `cwd`). A later flag with the same id wins.
 */
export function parseSshFlag(flag: string, cwd: string, env: NodeJS.ProcessEnv): [string, string] {
  const eq = flag.indexOf("=");
  const id = eq < 0 ? flag : flag.slice(0, eq);
  const given = eq < 0 ? undefined : flag.slice(eq + 1);
  if (!SECRET_ID.test(id)) throw usageError(`--ssh ${flag}: "${id}" is not an ssh id (letters, digits, _ . and -)`, { hint: "for example --ssh default, or --ssh gitlab=/path/to/agent.sock" });
  if (given !== undefined && given.includes(",")) {
    throw usageError(`--ssh ${flag}: runner-kit forwards one SSH agent socket per id, not a list`, { hint: `give one socket: --ssh ${id}=SOCKET` });
  }
  const path = given ?? env.SSH_AUTH_SOCK;
  if (path === undefined || path === "") {
    throw usageError(`--ssh ${flag}: SSH_AUTH_SOCK is not set, so there is no SSH agent to forward`, {
      hint: `start an agent and add the key (eval "$(ssh-agent)" && ssh-add ~/.ssh/id_ed25519), or name an agent's socket: --ssh ${id}=SOCKET`,
    });
  }
  const socket = isAbsolute(path) ? path : resolve(cwd, path);
  const kind = fileKind(socket);
  if (kind !== "socket") {
    const from = given === undefined ? ` (SSH_AUTH_SOCK)` : "";
    const what = kind === "missing" ? "does not exist" : kind === "file" ? "is a file, not an SSH agent's socket: runner-kit forwards an agent, never a key file" : "is not an SSH agent's socket";
    throw usageError(`--ssh ${flag}: ${socket}${from} ${what}`, {
      hint: kind === "file" ? `load the key into an agent (eval "$(ssh-agent)" && ssh-add ${socket}), then --ssh ${id}` : `start an agent (eval "$(ssh-agent)" && ssh-add KEY) and pass --ssh ${id}, or fix the socket path`,
    });
  }
  return [id, socket];
}

/** Every `--ssh` flag: agent sockets by id. */
export function parseSshFlags(flags: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(flags.map((flag) => parseSshFlag(flag, cwd, env)));
}

/** `--ssh` needs BuildKit's session: with the classic builder it is a usage error (exit 2). */
export function refuseSshWithout(builder: BuilderKind, ssh: Record<string, string> | undefined): void {
  if (builder === "classic" && ssh) {
    throw usageError("--ssh forwards an SSH agent through BuildKit's session, and this build uses the classic builder, which has none", {
      hint: "build with BuildKit (--builder buildkit, or drop builder: classic from runner-kit.yaml), or drop --ssh",
    });
  }
}

function fileKind(path: string): "socket" | "file" | "other" | "missing" {
  try {
    const stat = statSync(path);
    return stat.isSocket() ? "socket" : stat.isFile() ? "file" : "other";
  } catch {
    return "missing";
  }
}
