/**
 * The job's script stages in its one container, as the Docker executor runs them:
 * step_script (before_script + script, after the services wait), then after_script. Each
 * stage is a generated script on the shell's stdin; its output comes back line by line,
 * with runner-kit's markers (script started, services wait, no grep, exit code) taken out.
 */
import { randomBytes } from "node:crypto";
import type { EngineContainer } from "../../engine/engine-api.js";
import { errorMessage, isNoExecutable, type StepScriptRun } from "./outcome.js";
import { runStage } from "./stage.js";
import { stageScript, waitPreamble, type ProbeTarget } from "./script.js";
import type { Trace } from "../../common/trace.js";
import { parseWaitLine, type WaitEvent } from "./wait.js";

export interface StageRunnerOptions {
  container: EngineContainer;
  buildDir: string;
  /** Colour the `$ command` lines. */
  color: boolean;
  /** The shell is the container's main process (no ENTRYPOINT wraps it): its exit code is the container's. */
  shellIsMain: boolean;
  /** Stops a running stage (Ctrl-C, a service that could not start). */
  signal: AbortSignal;
  log: (line: string) => void;
  trace: Trace;
  /** The services wait's events, handled in order with the lines around them. */
  onWaitEvent: (event: WaitEvent) => Promise<void> | void;
  /** The error to throw instead when the job container cannot start (a host that refuses privileged), else undefined. */
  startRefused?: (error: unknown) => Error | undefined;
  /** The job container's attach, made during provisioning: the first stage's. */
  attached?: Promise<NodeJS.ReadWriteStream>;
}

export interface StageRequest {
  label: string;
  commands: string[];
  timeoutSeconds: number;
  /** Nothing runs in the container after this stage (it may end at the script's exit marker). */
  last: boolean;
  exports?: Record<string, string>;
  /** The services wait, run before the commands. */
  preamble?: string;
}

export class StageRunner {
  private readonly markers = (() => {
    const nonce = randomBytes(6).toString("hex");
    return {
      start: `rk-script-start-${nonce}`, begin: `rk-script-begin-${nonce}`, noGrep: `rk-no-grep-${nonce}`,
      wait: `rk-wait-${nonce}`, exit: `rk-exit-${nonce}`,
    };
  })();

  /** Used by the first stage only: each later stage attaches again to the restarted container. */
  private attached: Promise<NodeJS.ReadWriteStream> | undefined;

  constructor(private readonly o: StageRunnerOptions) {
    this.attached = o.attached;
  }

  /** The services wait for step_script ("" when no service is checked). */
  waitPreamble(targets: ProbeTarget[], waitSeconds: number, strict: boolean): string {
    return waitPreamble(targets, this.markers.wait, waitSeconds, strict);
  }

  async run(r: StageRequest): Promise<StepScriptRun> {
    const { o, markers } = this;
    const early = r.last && o.shellIsMain;
    const seen = { start: false, begin: false, noGrep: false, noShell: false };
    let chain = Promise.resolve();
    const header = () => {
      if (!seen.begin) o.log(`Executing "${r.label}" stage of the job script`);
      seen.begin = true;
    };
    const handle = async (line: string) => {
      if (line === markers.start) return o.trace(`${r.label}: shell started`), void (seen.start = true);
      if (line === markers.begin) return o.trace(`${r.label}: services ready, script begins`), header();
      if (line === markers.noGrep) return void (seen.noGrep = true);
      const event = parseWaitLine(line, markers.wait);
      if (event) return o.onWaitEvent(event);
      if (line === "shell not found") seen.noShell = true;
      // Output before the begin marker is the entrypoint's or the shell's own.
      o.log(line);
    };
    if (!r.preamble) header();
    const attached = this.attached;
    this.attached = undefined;
    const stage = await runStage(o.container, {
      ...(attached ? { attached } : {}),
      script: stageScript({
        commands: r.commands, startMarker: markers.start, noGrepMarker: markers.noGrep, workdir: o.buildDir, color: o.color,
        ...(r.exports ? { exports: r.exports } : {}),
        ...(r.preamble ? { preamble: r.preamble, beginMarker: markers.begin } : {}),
        ...(early ? { exitMarker: markers.exit } : {}),
      }),
      ...(early ? { exitMarker: markers.exit } : {}),
      timeoutMs: r.timeoutSeconds * 1000,
      trace: (phase) => o.trace(`${r.label}: job container ${phase}`),
      signal: o.signal,
      // Lines are handled in order; a not-ready warning fetches the service log first.
      onLine: (line) => void (chain = chain.then(() => handle(line))),
    }).catch((error: unknown) => {
      const message = errorMessage(error);
      if (isNoExecutable(message)) return { noExecutable: message };
      throw o.startRefused?.(error) ?? error;
    });
    await chain;
    o.trace(`${r.label}: container exited`);
    return { stage, sawStart: seen.start, sawNoGrep: seen.noGrep, sawNoShell: seen.noShell };
  }
}
