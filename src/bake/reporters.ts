import { say, type CliContext } from "../common/context.js";
import { progressMode, type ProgressRequest } from "./progress-mode.js";
import type { BuildReporter, VariantResult } from "./types.js";

export type WriteLine = (line: string) => void;

function finishLine(r: VariantResult): string {
  const time = `${(r.durationMs / 1000).toFixed(1)} s`;
  if (r.status === "failed") return `failed after ${time}: ${r.error ?? "unknown error"}`;
  const where = r.digest ? ` ${r.digest}` : r.imageId ? ` ${r.imageId.slice(0, 19)}` : "";
  return `${r.status === "built" ? (r.pushed ? "built and pushed" : "built") : r.pushed ? "up to date, pushed" : "up to date"} in ${time}${where}`;
}

/** CI logs: every line, prefixed with the image it belongs to. */
export function plainReporter(write: WriteLine): BuildReporter {
  return {
    start: (id, action) => write(`[${id}] ${action}`),
    line: (id, line) => write(`[${id}] ${line}`),
    note: (id, message) => write(`[${id}] ${message}`),
    finish: (r) => write(`[${r.id}] ${finishLine(r)}`),
    close: () => {},
  };
}

/** Only the end of each image. */
export function quietReporter(write: WriteLine): BuildReporter {
  return { start: () => {}, line: () => {}, note: () => {}, finish: (r) => r.status === "failed" && write(`[${r.id}] ${finishLine(r)}`), close: () => {} };
}

/**
 * GitLab CI: each image's log as one collapsible section (collapsed when it succeeded).
 * Images build concurrently, so each section is written whole when its image is done.
 */
export function gitlabReporter(write: WriteLine, now: () => number = Date.now): BuildReporter {
  const buffers = new Map<string, { started: number; lines: string[] }>();
  const buffer = (id: string) => {
    let b = buffers.get(id);
    if (!b) buffers.set(id, (b = { started: Math.floor(now() / 1000), lines: [] }));
    return b;
  };
  return {
    start: (id, action) => {
      buffer(id).lines.push(`${action}`);
      write(`[${id}] ${action}…`);
    },
    line: (id, line) => void buffer(id).lines.push(line),
    note: (id, message) => write(`[${id}] ${message}`),
    finish: (r) => {
      const b = buffer(r.id);
      const name = `runner_kit_${r.id.replace(/[^A-Za-z0-9_.-]/g, "_")}`;
      const collapsed = r.status === "failed" ? "" : "[collapsed=true]";
      write(`\x1b[0Ksection_start:${b.started}:${name}${collapsed}\r\x1b[0K${r.id}: ${finishLine(r)}`);
      for (const line of b.lines) write(line);
      write(`\x1b[0Ksection_end:${Math.floor(now() / 1000)}:${name}\r\x1b[0K`);
      buffers.delete(r.id);
    },
    close: () => {},
  };
}

/** A terminal: one live line per image (state and latest output), redrawn in place. */
export function ttyReporter(write: (text: string) => void, columns = 100): BuildReporter {
  const order: string[] = [];
  const state = new Map<string, string>();
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  const set = (id: string, text: string) => {
    if (!state.has(id)) order.push(id);
    state.set(id, text);
    timer ??= setTimeout(draw, 100);
  };
  const draw = () => {
    timer = undefined;
    let out = drawn > 0 ? `\x1b[${drawn}A` : "";
    for (const id of order) out += `\x1b[2K${`${id}  ${state.get(id) ?? ""}`.slice(0, columns - 1)}\n`;
    drawn = order.length;
    write(out);
  };
  return {
    start: (id, action) => set(id, `${action}…`),
    line: (id, line) => set(id, `… ${line}`),
    note: (id, message) => set(id, message),
    finish: (r) => set(r.id, finishLine(r)),
    close: () => {
      if (timer) clearTimeout(timer);
      draw();
    },
  };
}

/** The reporter for this run: --quiet, else --progress (auto: a live view on a terminal, plain lines in CI, sections under GITLAB_CI). */
export function chooseReporter(ctx: CliContext, quiet: boolean, progress: ProgressRequest | undefined): BuildReporter {
  const write = (line: string) => say(ctx, line);
  if (quiet) return quietReporter(write);
  switch (progressMode(progress, { isTTY: ctx.stderr.isTTY === true, env: ctx.env })) {
    case "gitlab":
      return gitlabReporter(write);
    case "tty":
      return ttyReporter((text) => ctx.stderr.write(ctx.secrets.redact(text)));
    case "plain":
      return plainReporter(write);
  }
}
