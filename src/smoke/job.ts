/**
 * The job model: one job of a .gitlab-ci.yml, as the Docker executor sees it. Pure: text
 * in, plain data out; errors carry file:line:column.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { configError } from "../common/errors.js";
import { parseDuration } from "./duration.js";
import type { VariableMap } from "./variables.js";

export type PullPolicy = "always" | "never" | "if-not-present";
const PULL_POLICIES: readonly string[] = ["always", "never", "if-not-present"];

export interface ImageSpec {
  name: string;
  /** Overrides the image ENTRYPOINT when set; `[""]` clears it. */
  entrypoint?: string[];
  pullPolicy?: PullPolicy[];
}

export interface ServiceSpec extends ImageSpec {
  alias?: string;
  command?: string[];
  /** The service's own variables (expanded against the job's at run time). */
  variables: VariableMap;
}

export interface SmokeJob {
  name: string;
  /** Where the job came from (a file path, or "built-in …"). */
  file: string;
  stage: string;
  image?: ImageSpec;
  services: ServiceSpec[];
  /** Global then job variables, not yet expanded. */
  variables: VariableMap;
  /** Variables declared with `expand: false`. */
  noExpand: string[];
  beforeScript: string[];
  script: string[];
  afterScript: string[];
  /** The job's `timeout:`, seconds. */
  timeoutSeconds?: number;
  /** Keys smoke reads but cannot honour, one sentence each. */
  warnings: string[];
}

/** Top-level keys that are not jobs. */
const GLOBAL_KEYWORDS = new Set([
  "default", "include", "stages", "variables", "workflow", "image", "services", "before_script",
  "after_script", "cache", "types", "spec",
]);
/** Job keys smoke honours. */
const HONOURED = new Set(["image", "services", "variables", "before_script", "script", "after_script", "timeout", "stage", "extends"]);
/** Job keys that only mean something to GitLab itself (scheduling, artifacts…): reported, no effect. */
const IGNORED_MEANING: Record<string, string> = {
  tags: "runner selection", rules: "pipeline rules", only: "pipeline rules", except: "pipeline rules",
  when: "pipeline rules", needs: "pipeline ordering", dependencies: "artifacts", artifacts: "artifacts",
  cache: "caching", retry: "retries", allow_failure: "pipeline status", interruptible: "cancellation",
  environment: "deployments", coverage: "coverage reports", parallel: "parallel jobs",
  resource_group: "resource groups", release: "releases", trigger: "downstream pipelines",
  inherit: "default inheritance", id_tokens: "ID tokens", secrets: "external secrets", hooks: "hooks",
  pages: "GitLab Pages", start_in: "delayed jobs", manual_confirmation: "manual jobs", identity: "identity",
  run: "CI steps", dast_configuration: "DAST",
};

export interface ParseJobOptions {
  /** File name used in messages. */
  file: string;
  /** The job to run; undefined → the file's only job. */
  job?: string;
}

class Ctx {
  readonly lines = new LineCounter();
  doc!: Document;
  constructor(readonly file: string) {}

  where(node: unknown): { file: string; line?: number; column?: number } {
    const range = (node as Node | undefined)?.range;
    if (!range) return { file: this.file };
    const pos = this.lines.linePos(range[0]);
    return { file: this.file, line: pos.line, column: pos.col };
  }

  fail(node: unknown, message: string, hint?: string): never {
    throw configError(message, { where: this.where(node), hint });
  }
}

function node(map: unknown, key: string): Node | undefined {
  if (!isMap(map)) return undefined;
  return map.get(key, true) as Node | undefined;
}

function stringOf(ctx: Ctx, n: Node | undefined, what: string): string {
  if (isScalar(n) && (typeof n.value === "string" || typeof n.value === "number" || typeof n.value === "boolean")) return String(n.value);
  ctx.fail(n, `${what} must be a string`);
}

function stringList(ctx: Ctx, n: Node | undefined, what: string): string[] {
  if (isScalar(n)) return [stringOf(ctx, n, what)];
  if (!isSeq(n)) ctx.fail(n, `${what} must be a list of strings`);
  return n.items.map((item) => stringOf(ctx, item as Node, `each entry of ${what}`));
}

/** GitLab's own wording for a script that is not text (ci/config/entry/commands.rb). */
const SCRIPT_SHAPE = "config should be a string or a nested array of strings up to 10 levels deep";

function yamlKind(n: Node | undefined): string {
  if (isMap(n)) return "a mapping";
  if (isSeq(n)) return "a list nested more than 10 levels deep";
  const value = isScalar(n) ? n.value : n;
  if (value === null || value === undefined) return "empty (null)";
  return `a ${typeof value === "object" ? "value that is not text" : typeof value} (${String(value)})`;
}

/**
 * before_script / script / after_script: a string or a list of strings, nested lists
 * flattened (up to 10 levels, as GitLab). A number, boolean, null or mapping anywhere in it
 * is refused, as GitLab refuses the pipeline: it would otherwise run as the command "42".
 */
function scriptLines(ctx: Ctx, n: Node | undefined, what: string, depth = 0): string[] {
  if (depth === 0 && (n === undefined || (isScalar(n) && n.value === null))) return [];
  if (isScalar(n) && typeof n.value === "string") return [n.value];
  if (isSeq(n) && depth < 10) return n.items.flatMap((item) => scriptLines(ctx, item as Node, what, depth + 1));
  const at = depth === 0 ? `${what} is` : `an entry of ${what} is`;
  ctx.fail(n, `${at} ${yamlKind(n)}: ${what} ${SCRIPT_SHAPE}`, 'quote a command that YAML reads as a number or boolean (- "42"), and write a command containing ": " in quotes so it is not read as a mapping');
}

function pullPolicy(ctx: Ctx, n: Node | undefined): PullPolicy[] | undefined {
  if (n === undefined) return undefined;
  const list = stringList(ctx, n, "pull_policy");
  for (const p of list) {
    if (!PULL_POLICIES.includes(p)) ctx.fail(n, `unsupported pull_policy "${p}"`, "use always, never or if-not-present");
  }
  return list as PullPolicy[];
}

function optionalList(ctx: Ctx, n: Node | undefined, what: string): string[] | undefined {
  return n === undefined ? undefined : stringList(ctx, n, what);
}

function imageSpec(ctx: Ctx, n: Node | undefined): ImageSpec | undefined {
  if (n === undefined || (isScalar(n) && n.value === null)) return undefined;
  if (isScalar(n)) return { name: stringOf(ctx, n, "image") };
  if (!isMap(n)) ctx.fail(n, "image must be a string or a map with name, entrypoint, pull_policy");
  const spec: ImageSpec = { name: stringOf(ctx, node(n, "name"), "image:name") };
  const entrypoint = optionalList(ctx, node(n, "entrypoint"), "image:entrypoint");
  if (entrypoint) spec.entrypoint = entrypoint;
  const pp = pullPolicy(ctx, node(n, "pull_policy"));
  if (pp) spec.pullPolicy = pp;
  checkKeys(ctx, n, ["name", "entrypoint", "pull_policy", "docker", "kubernetes"], "image");
  return spec;
}

function serviceSpec(ctx: Ctx, n: Node): ServiceSpec {
  if (isScalar(n)) return { name: stringOf(ctx, n, "services entry"), variables: {} };
  if (!isMap(n)) ctx.fail(n, "each service must be a string or a map with name, alias, entrypoint, command, variables");
  const spec: ServiceSpec = { name: stringOf(ctx, node(n, "name"), "services:name"), variables: {} };
  const alias = node(n, "alias");
  if (alias !== undefined) spec.alias = stringOf(ctx, alias, "services:alias");
  const entrypoint = optionalList(ctx, node(n, "entrypoint"), "services:entrypoint");
  if (entrypoint) spec.entrypoint = entrypoint;
  const command = optionalList(ctx, node(n, "command"), "services:command");
  if (command) spec.command = command;
  const pp = pullPolicy(ctx, node(n, "pull_policy"));
  if (pp) spec.pullPolicy = pp;
  const vars = node(n, "variables");
  if (vars !== undefined) spec.variables = variables(ctx, vars, "services:variables").values;
  checkKeys(ctx, n, ["name", "alias", "entrypoint", "command", "variables", "pull_policy", "docker", "kubernetes"], "services entry");
  return spec;
}

function services(ctx: Ctx, n: Node | undefined): ServiceSpec[] | undefined {
  if (n === undefined) return undefined;
  if (isScalar(n) && n.value === null) return [];
  if (!isSeq(n)) ctx.fail(n, "services must be a list");
  return n.items.map((item) => serviceSpec(ctx, item as Node));
}

function variables(ctx: Ctx, n: Node | undefined, what: string): { values: VariableMap; noExpand: string[] } {
  const values: VariableMap = {};
  const noExpand: string[] = [];
  if (n === undefined || (isScalar(n) && n.value === null)) return { values, noExpand };
  if (!isMap(n)) ctx.fail(n, `${what} must be a map of NAME: value`);
  for (const pair of n.items) {
    const key = stringOf(ctx, pair.key as Node, `a name in ${what}`);
    const value = pair.value as Node | undefined;
    if (isMap(value)) {
      values[key] = value.get("value") === undefined ? "" : stringOf(ctx, node(value, "value"), `${what}:${key}:value`);
      if (value.get("expand") === false) noExpand.push(key);
    } else if (value === undefined || value === null || (isScalar(value) && value.value === null)) {
      values[key] = "";
    } else {
      values[key] = stringOf(ctx, value, `${what}:${key}`);
    }
  }
  return { values, noExpand };
}

function checkKeys(ctx: Ctx, map: unknown, allowed: string[], what: string): void {
  if (!isMap(map)) return;
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (!allowed.includes(key)) ctx.fail(pair.key, `unknown key "${key}" in ${what}`, `use one of ${allowed.join(", ")}`);
  }
}

/** Resolve `extends:` (maps merged deeply, everything else replaced), like GitLab. */
function resolveExtends(ctx: Ctx, root: unknown, name: string, seen: string[] = []): Record<string, unknown> {
  const jobNode = node(root, name);
  if (!isMap(jobNode)) ctx.fail(jobNode, `"${name}" is not a job (a map of keywords)`);
  const own = jobNode.toJSON() as Record<string, unknown>;
  const ext = own.extends;
  if (ext === undefined) return own;
  const parents = typeof ext === "string" ? [ext] : Array.isArray(ext) ? ext.map(String) : ctx.fail(node(jobNode, "extends"), "extends must be a job name or a list of names");
  let merged: Record<string, unknown> = {};
  for (const parent of parents) {
    if (seen.includes(parent)) ctx.fail(node(jobNode, "extends"), `extends forms a cycle: ${[...seen, name, parent].join(" → ")}`);
    if (node(root, parent) === undefined) ctx.fail(node(jobNode, "extends"), `extends names "${parent}", which is not in this file`, "include: is not followed by smoke; define the template in the same file");
    merged = deepMerge(merged, resolveExtends(ctx, root, parent, [...seen, name]));
  }
  const { extends: _drop, ...rest } = own;
  return deepMerge(merged, rest);
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function listJobs(root: unknown): string[] {
  if (!isMap(root)) return [];
  return root.items
    .map((pair) => (isScalar(pair.key) ? String(pair.key.value) : ""))
    .filter((k) => k !== "" && !k.startsWith(".") && !GLOBAL_KEYWORDS.has(k));
}

/** Parse `text` (a .gitlab-ci.yml) and return the named job. */
export function parseJob(text: string, options: ParseJobOptions): SmokeJob {
  const ctx: Ctx = new Ctx(options.file);
  const doc = parseDocument(text, { lineCounter: ctx.lines, merge: true, prettyErrors: false });
  ctx.doc = doc;
  const first = doc.errors[0];
  if (first) {
    const pos = ctx.lines.linePos(first.pos[0]);
    throw configError(`not valid YAML: ${first.message.split("\n")[0]}`, { where: { file: options.file, line: pos.line, column: pos.col } });
  }
  const root = doc.contents;
  if (!isMap(root)) ctx.fail(root, "a .gitlab-ci.yml must be a map of jobs and global keywords");
  const jobs = listJobs(root);
  let name = options.job;
  if (name === undefined) {
    if (jobs.length !== 1) {
      throw configError(jobs.length === 0 ? "the file defines no job" : `the file defines ${jobs.length} jobs (${jobs.join(", ")})`, {
        where: options.file,
        hint: jobs.length === 0 ? "add a job with a script:" : `name one with --job ${options.file}#${jobs[0]}`,
      });
    }
    name = jobs[0] as string;
  } else if (!jobs.includes(name)) {
    throw configError(`there is no job "${name}" in the file`, { where: options.file, hint: jobs.length ? `jobs here: ${jobs.join(", ")}` : "add the job" });
  }

  // Build a synthetic document for the job after `extends:`, so positions survive when there is none.
  const jobNode = node(root, name) as Node;
  const hasExtends = isMap(jobNode) && jobNode.has("extends");
  const jobMap: Node = hasExtends ? (doc.createNode(resolveExtends(ctx, root, name)) as Node) : jobNode;
  if (!isMap(jobMap)) ctx.fail(jobNode, `job "${name}" must be a map of keywords`);
  const jobItems = jobMap.items;

  const warnings: string[] = [];
  for (const pair of jobItems) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (HONOURED.has(key)) continue;
    const meaning = IGNORED_MEANING[key];
    warnings.push(
      meaning
        ? `job "${name}": "${key}" (${meaning}) has no effect in a smoke run and is ignored`
        : `job "${name}": unknown keyword "${key}" is ignored`,
    );
  }
  const defaults = node(root, "default");
  for (const key of isMap(defaults) ? defaults.items.map((p) => (isScalar(p.key) ? String(p.key.value) : "")) : []) {
    if (!["image", "services", "before_script", "after_script", "timeout"].includes(key)) {
      warnings.push(`default: "${key}" has no effect in a smoke run and is ignored`);
    }
  }
  if (node(root, "include") !== undefined) warnings.push(`include: is not followed by smoke; only jobs and templates in ${options.file} are used`);

  // Job keys win over default: keys, which win over the (deprecated) top-level ones.
  const pick = (key: string): Node | undefined => node(jobMap, key) ?? node(defaults, key) ?? node(root, key);
  // GitLab checks every script in the file's defaults, not only the ones this job inherits.
  for (const key of ["before_script", "after_script"]) {
    scriptLines(ctx, node(defaults, key), `default:${key}`);
    scriptLines(ctx, node(root, key), key);
  }
  const script = scriptLines(ctx, node(jobMap, "script"), `jobs:${name}:script`);
  if (script.length === 0) ctx.fail(jobNode, `job "${name}" has no script`, "add script: with at least one command");

  const global = variables(ctx, node(root, "variables"), "variables");
  const own = variables(ctx, node(jobMap, "variables"), `${name}:variables`);
  const job: SmokeJob = {
    name,
    file: options.file,
    stage: node(jobMap, "stage") === undefined ? "test" : stringOf(ctx, node(jobMap, "stage"), "stage"),
    services: services(ctx, pick("services")) ?? [],
    variables: { ...global.values, ...own.values },
    noExpand: [...new Set([...global.noExpand.filter((k) => !(k in own.values)), ...own.noExpand])],
    beforeScript: scriptLines(ctx, pick("before_script"), `jobs:${name}:before_script`),
    script,
    afterScript: scriptLines(ctx, pick("after_script"), `jobs:${name}:after_script`),
    warnings,
  };
  const image = imageSpec(ctx, pick("image"));
  if (image) job.image = image;
  const timeoutNode = node(jobMap, "timeout") ?? node(defaults, "timeout");
  if (timeoutNode !== undefined) {
    const seconds = parseDuration(stringOf(ctx, timeoutNode, "timeout"));
    if (seconds === undefined || seconds <= 0) ctx.fail(timeoutNode, "timeout is not a duration", 'write it like "1h 30m", "10 minutes" or "90s"');
    job.timeoutSeconds = seconds;
  }
  return job;
}
