import type Handlebars from "handlebars";
import { shellQuote } from "../common/shell-quote.js";
import { TemplateProblem } from "./template-problem.js";

/**
 * Template helpers for the common Dockerfile needs. Each checks what it prints: a
 * single-line helper's result goes through the output guard; a multi-line helper returns
 * a SafeString after refusing line breaks, NULs and bad names in every item.
 */
interface HelperOptions {
  hash: Record<string, unknown>;
  data: { root: { args?: Record<string, unknown>; builder?: unknown }; runnerKitWarnings?: string[] };
  loc?: { start: { line: number; column: number } };
  name?: string;
}

/**
 * What `{{aptCacheMounts}}` prints under BuildKit after `RUN `: cache mounts for apt's
 * downloaded packages and its lists (locked: stages building at once take turns), and
 * Debian's docker-clean hook removed so downloaded packages stay in the cache.
 */
const APT_CACHE_MOUNTS = [
  "--mount=type=cache,target=/var/cache/apt,sharing=locked \\",
  "    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \\",
  "    rm -f /etc/apt/apt.conf.d/docker-clean \\",
  " && ",
].join("\n");

const PACKAGE = /^[a-z0-9][a-z0-9+.-]+(?:=[A-Za-z0-9.+:~_-]+|\/[a-z0-9-]+)?$/;
const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function fail(options: HelperOptions, reason: string): never {
  throw new TemplateProblem(`${options.name ?? "helper"}: ${reason}`, options.loc?.start.line, options.loc ? options.loc.start.column + 1 : undefined);
}

function oneLine(options: HelperOptions, what: string, value: unknown): string {
  if (value === undefined || value === null) fail(options, `${what} has no value`);
  if (typeof value === "object") fail(options, `${what} must be text, got ${Array.isArray(value) ? "a list" : "a mapping"}`);
  const text = String(value);
  if (/[\n\r\0]/.test(text)) fail(options, `${what} contains a line break or NUL, which would inject a Dockerfile instruction`);
  return text;
}

/** Flatten helper arguments (strings and lists) into a list of items. */
function items(args: unknown[], options: HelperOptions): string[] {
  const out: string[] = [];
  for (const arg of args) {
    if (arg === null || arg === undefined || arg === "") continue;
    if (Array.isArray(arg)) for (const item of arg) out.push(oneLine(options, "a list item", item));
    else if (typeof arg === "string") out.push(...arg.split(/[\s,]+/).filter(Boolean));
    else out.push(oneLine(options, "an item", arg));
  }
  return out;
}

const OCI_ORDER = ["title", "description", "version", "revision", "created", "source", "url", "documentation", "authors", "vendor", "licenses"];
function ociRank(key: string): number {
  const i = OCI_ORDER.indexOf(key);
  return i < 0 ? OCI_ORDER.length : i;
}

/** Whether the template is rendered for BuildKit (`builder` in the template context; BuildKit when absent). */
function buildKit(options: HelperOptions): boolean {
  return (options.data.root.builder ?? "buildkit") === "buildkit";
}

function split(rest: unknown[]): [unknown[], HelperOptions] {
  return [rest.slice(0, -1), rest[rest.length - 1] as HelperOptions];
}

/** A double-quoted Dockerfile word (LABEL/ARG values); `$` stays live for ARG expansion. */
function dockerQuote(text: string): string {
  return /^[A-Za-z0-9_./:=@%+,${}-]+$/.test(text) ? text : `"${text.replace(/(["\\])/g, "\\$1")}"`;
}

type SafeStringClass = typeof Handlebars.SafeString;
type Helper = (...args: never[]) => unknown;

/** Helpers that print Dockerfile pieces: package lists, ARG, LABEL and the mappings they take. */
function dockerfileHelpers(SafeString: SafeStringClass): Record<string, Helper> {
  return {
    /**
     * {{aptPackages "bash" "git" values.packages}} — sorted, de-duplicated Debian package
     * names, one per line, each line ending in " \" for a RUN instruction that continues.
     */
    aptPackages: (...rest: unknown[]) => {
      const [args, options] = split(rest);
      const names = [...new Set(items(args, options))].sort();
      for (const name of names) if (!PACKAGE.test(name)) fail(options, `"${name}" is not a Debian package name (name, name=version or name/release)`);
      const indent = typeof options.hash.indent === "number" ? options.hash.indent : 6;
      const lines = names.map((n) => `${" ".repeat(indent)}${n} \\`);
      // clean=true ends the RUN: the apt lists are removed from the layer, except under BuildKit, where they live in a cache mount ({{aptCacheMounts}}).
      if (options.hash.clean === true) {
        if (buildKit(options)) lines.push(lines.pop()!.replace(/ \\$/, ""));
        else lines.push(" && rm -rf /var/lib/apt/lists/*");
      }
      return new SafeString(lines.join("\n"));
    },
    /**
     * `RUN {{aptCacheMounts}}apt-get update \` — under BuildKit, apt cache mounts (so a
     * rebuild downloads only packages it has not downloaded before); under the classic
     * builder, nothing. End the RUN with `{{aptPackages … clean=true}}`.
     */
    aptCacheMounts: (options: HelperOptions) => new SafeString(buildKit(options) ? APT_CACHE_MOUNTS : ""),
    /** {{arg "NAME"}} or {{arg "NAME" "fallback"}} — `ARG NAME=<args.NAME or fallback>`, or `ARG NAME`. */
    arg: (...rest: unknown[]) => {
      const [args, options] = split(rest);
      const name = oneLine(options, "the ARG name", args[0]);
      if (!ARG_NAME.test(name)) fail(options, `"${name}" is not a valid ARG name`);
      const given = options.data.root.args?.[name];
      const value = given ?? args[1];
      if (value === undefined || value === null || value === "") return `ARG ${name}`;
      return `ARG ${name}=${dockerQuote(oneLine(options, `the value of ARG ${name}`, value))}`;
    },
    /** {{labels mapping…}} — one LABEL instruction, one key per line; later mappings win. */
    labels: (...rest: unknown[]) => {
      const [args, options] = split(rest);
      const merged: Record<string, unknown> = {};
      for (const value of args) {
        if (value === null || typeof value !== "object" || Array.isArray(value)) fail(options, "expects mappings of label keys to values");
        Object.assign(merged, value);
      }
      const entries = Object.entries(merged).filter(([, v]) => v !== null && v !== undefined && v !== "");
      if (entries.length === 0) return new SafeString("");
      const lines = entries.map(([key, v]) => {
        if (!LABEL_KEY.test(key)) fail(options, `"${key}" is not a valid label key`);
        return `${key}=${dockerQuote(oneLine(options, `label ${key}`, v))}`;
      });
      return new SafeString(`LABEL ${lines.join(" \\\n      ")}`);
    },
    /** {{oci title=… version=…}} — org.opencontainers.image.* labels in the spec's order (empty values dropped). */
    oci: (options: HelperOptions) => {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(options.hash).sort((a, b) => ociRank(a) - ociRank(b) || a.localeCompare(b))) {
        const value = options.hash[key];
        if (value !== null && value !== "") out[`org.opencontainers.image.${key}`] = value;
      }
      return out;
    },
    /** {{json (obj key=value)}} or (obj "key.with.dots" value …) — a mapping built in the template (hash keys sorted, then pairs in order). */
    obj: (...rest: unknown[]) => {
      const [args, options] = split(rest);
      if (args.length % 2 !== 0) fail(options, "expects key/value pairs");
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(options.hash).sort()) out[key] = options.hash[key];
      for (let i = 0; i < args.length; i += 2) out[oneLine(options, "a key", args[i])] = args[i + 1];
      return out;
    },
    /** (keyed list value) — {item: value} for every item, e.g. credHelpers from registry hosts. */
    keyed: (list: unknown, value: unknown, options: HelperOptions) => {
      const out: Record<string, unknown> = {};
      for (const item of items([list], options)) out[item] = value;
      return out;
    },
  };
}

/** Helpers for text and logic: join, quote, json, eq, warn. */
function textHelpers(): Record<string, Helper> {
  return {
    /** {{join list ", "}} — items joined on one line (default separator: a space). */
    join: (list: unknown, ...rest: unknown[]) => {
      const [args, options] = split(rest);
      const sep = args.length > 0 ? oneLine(options, "the separator", args[0]) : " ";
      return items([list], options).join(sep);
    },
    /** {{quote value}} — one shell word, single-quoted when needed. */
    quote: (value: unknown, options: HelperOptions) => shellQuote(oneLine(options, "the value", value)),
    /** {{json value}} — compact JSON on one line (line breaks inside strings are escaped). */
    json: (value: unknown, options: HelperOptions) => {
      if (value === undefined) fail(options, "the value is missing");
      return JSON.stringify(value);
    },
    /** {{#if (eq values.install "official")}} */
    eq: (a: unknown, b: unknown) => a === b,
    /** {{warn "text"}} or {{#warn}}text with {{values}}{{/warn}} — a warning shown by `runner-kit render`; prints nothing. */
    warn: function (this: unknown, ...rest: unknown[]) {
      const [args, options] = split(rest);
      const block = (options as HelperOptions & { fn?: (context: unknown) => string }).fn;
      const message = block ? block(this).trim().replace(/\s+/g, " ") : oneLine(options, "the warning", args[0]);
      options.data.runnerKitWarnings?.push(message);
      return "";
    },
  };
}

export function registerHelpers(hb: typeof Handlebars): void {
  for (const [name, helper] of Object.entries({ ...textHelpers(), ...dockerfileHelpers(hb.SafeString) })) hb.registerHelper(name, helper as Handlebars.HelperDelegate);
}
