/**
 * What the job container runs, as GitLab Runner's Docker executor generates it: a shell
 * detect command as the container Cmd, then one generated script per stage on stdin.
 */

/** The shells GitLab Runner looks for, in order (executors/docker: bash first, then sh). */
export const SHELL_CANDIDATES = [
  "/usr/local/bin/bash", "/usr/bin/bash", "/bin/bash",
  "/usr/local/bin/sh", "/usr/bin/sh", "/bin/sh", "/busybox/sh",
];

/** The container Cmd: `sh -c <detect>` execs the first shell found, which reads the script on stdin. */
export function detectShellCommand(): string[] {
  const tries = SHELL_CANDIDATES.map((s) => `if [ -x ${s} ]; then exec ${s} "$@"; fi`).join("; ");
  return ["sh", "-c", `${tries}; echo shell not found; exit 1`];
}

/** POSIX single-quoting. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

export interface StageScriptOptions {
  commands: string[];
  /** Printed on its own line first so the executor knows the script (not an entrypoint) runs. */
  startMarker: string;
  /** Printed when the image has no grep (GitLab Runner needs it for its pipefail check). */
  noGrepMarker: string;
  /** Exported before the commands (after_script gets CI_JOB_STATUS). */
  exports?: Record<string, string>;
  /** Directory the commands run in. */
  workdir: string;
  /** Echo each command (`$ cmd`) before running it, like the runner's trace. */
  color: boolean;
}

/**
 * One stage's script: errexit + pipefail (when the shell has it, checked with grep as the
 * runner does), each command echoed then run. The body is read whole and `eval`ed with an
 * empty stdin, so a command reading stdin cannot swallow the rest of the script.
 */
export function stageScript(o: StageScriptOptions): string {
  const body: string[] = [];
  for (const [k, v] of Object.entries(o.exports ?? {})) body.push(`export ${k}=${shellQuote(v)}`);
  body.push(`cd ${shellQuote(o.workdir)}`);
  for (const command of o.commands) {
    const shown = `$ ${command}`;
    body.push(o.color ? `printf '\\033[32;1m%s\\033[0;m\\n' ${shellQuote(shown)}` : `printf '%s\\n' ${shellQuote(shown)}`);
    body.push(command);
  }
  return [
    `echo ${shellQuote(o.startMarker)}`,
    `if ! command -v grep >/dev/null 2>&1; then echo ${shellQuote(o.noGrepMarker)}; exit 1; fi`,
    "if set -o | grep pipefail >/dev/null; then set -o pipefail; fi; set -o errexit",
    "set +o noclobber",
    `: | eval ${shellQuote(body.join("\n"))}`,
    "exit 0",
    "",
  ].join("\n");
}

export interface ProbeTarget {
  index: number;
  host: string;
  ports: number[];
}

/**
 * The readiness probe, run in a container of the job network: for each service, try its
 * ports every 100 ms and print `<marker> <index> <port>` when one accepts a connection.
 * Uses bash's /dev/tcp, else `nc -z`, else busybox nc; prints `<marker> none` if it has none.
 */
export function probeScript(targets: ProbeTarget[], marker: string): string {
  const lines = [
    "if command -v bash >/dev/null 2>&1; then try() { bash -c \"exec 3<>/dev/tcp/$1/$2\" 2>/dev/null; }",
    "elif command -v nc >/dev/null 2>&1; then try() { nc -z -w 1 \"$1\" \"$2\" 2>/dev/null; }",
    "elif command -v busybox >/dev/null 2>&1; then try() { busybox nc -z -w 1 \"$1\" \"$2\" 2>/dev/null; }",
    `else echo ${shellQuote(`${marker} none`)}; exit 0; fi`,
  ];
  for (const t of targets) {
    lines.push(
      `( while :; do for p in ${t.ports.join(" ")}; do if try ${shellQuote(t.host)} "$p"; then echo ${shellQuote(`${marker} ${t.index}`)} "$p"; exit 0; fi; done; sleep 0.1; done ) &`,
    );
  }
  lines.push("wait", "");
  return lines.join("\n");
}
