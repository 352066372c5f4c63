/**
 * What the job container runs, as GitLab Runner's Docker executor generates it: a shell
 * detect command as the container Cmd, then one generated script per stage on stdin.
 */
import { shellQuote } from "../../common/shell-quote.js";

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

export interface StageScriptOptions {
  commands: string[];
  /** Printed on its own line first so the executor knows the script (not an entrypoint) runs. */
  startMarker: string;
  /** Printed when the image has no grep (GitLab Runner needs it for its pipefail check). */
  noGrepMarker: string;
  /** Shell code run before the commands (the services wait); `beginMarker` is printed after it. */
  preamble?: string;
  beginMarker?: string;
  /** Exported before the commands (after_script gets CI_JOB_STATUS). */
  exports?: Record<string, string>;
  /** Directory the commands run in. */
  workdir: string;
  /** Echo each command (`$ cmd`) before running it, like the runner's trace. */
  color: boolean;
  /** Printed with the shell's exit code when it exits (`<exitMarker> <code>`), see StageOptions.exitMarker. */
  exitMarker?: string;
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
    // On both streams: each is ordered, so once both have shown it every line before it has arrived.
    ...(o.exitMarker ? [`trap ${shellQuote(`__rk_exit=$?; echo "${o.exitMarker} $__rk_exit"; echo "${o.exitMarker} $__rk_exit" >&2`)} EXIT`] : []),
    `if ! command -v grep >/dev/null 2>&1; then echo ${shellQuote(o.noGrepMarker)}; exit 1; fi`,
    ...(o.preamble ? [o.preamble] : []),
    ...(o.beginMarker ? [`echo ${shellQuote(o.beginMarker)}`] : []),
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
 * The readiness wait, run by the job's own shell inside the job network before the script
 * (so it works against a remote daemon and costs no extra container): for each service,
 * try its ports every 100 ms until one accepts a connection — `<marker> ready <i> <port>` —
 * or the time is up — `<marker> timeout <i>`. bash's /dev/tcp, else `nc -z`, else (busybox's
 * nc, which has no -z) `nc HOST PORT -e true`; `<marker> none` when the image has none. With `strict`, a service that is not ready
 * ends the shell with exit 1 before the script.
 */
export function waitPreamble(targets: ProbeTarget[], marker: string, timeoutSeconds: number, strict: boolean): string {
  if (targets.length === 0) return "";
  const m = (text: string) => shellQuote(`${marker} ${text}`);
  const lines = [
    "__rk_to=; if command -v timeout >/dev/null 2>&1; then __rk_to='timeout 2'; fi; __rk_tool=1; __rk_nc=",
    "if command -v nc >/dev/null 2>&1; then __rk_nc=nc; elif command -v busybox >/dev/null 2>&1; then __rk_nc='busybox nc'; fi",
    "if command -v bash >/dev/null 2>&1; then __rk_try() { $__rk_to bash -c \"exec 3<>/dev/tcp/$1/$2\" 2>/dev/null; }",
    // busybox's own nc has no -z: connect, then run `true` on the connection (-e takes the rest of the line).
    "elif [ -n \"$__rk_nc\" ] && $__rk_nc -z </dev/null 2>&1 | grep -q 'invalid option'; then __rk_try() { $__rk_to $__rk_nc -w 1 \"$1\" \"$2\" -e true </dev/null >/dev/null 2>&1; }",
    "elif [ -n \"$__rk_nc\" ]; then __rk_try() { $__rk_nc -z -w 1 \"$1\" \"$2\" 2>/dev/null; }",
    "else __rk_tool=; fi",
    "__rk_wait() {",
    "  __rk_i=$1; __rk_h=$2; shift 2",
    `  __rk_end=$(( $(date +%s) + ${Math.max(1, Math.ceil(timeoutSeconds))} ))`,
    "  while :; do",
    `    for __rk_p in "$@"; do if __rk_try "$__rk_h" "$__rk_p"; then echo ${m("ready")} "$__rk_i" "$__rk_p"; return 0; fi; done`,
    `    if [ "$(date +%s)" -ge "$__rk_end" ]; then echo ${m("timeout")} "$__rk_i"; return 1; fi`,
    "    sleep 0.1",
    "  done",
    "}",
    'if [ -n "$__rk_tool" ]; then',
    "  __rk_pids=",
  ];
  for (const t of targets) {
    lines.push(`  __rk_wait ${t.index} ${shellQuote(t.host)} ${t.ports.join(" ")} </dev/null & __rk_pids="$__rk_pids $!"`);
  }
  lines.push(
    "  __rk_failed=0; for __rk_p in $__rk_pids; do wait $__rk_p || __rk_failed=1; done",
    strict ? `  if [ $__rk_failed != 0 ]; then echo ${m("strict")}; exit 1; fi` : "  :",
    `else echo ${m("none")}; fi`,
  );
  return lines.join("\n");
}
