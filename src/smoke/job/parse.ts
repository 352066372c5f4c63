/**
 * The job model: one job of a .gitlab-ci.yml, as the Docker executor sees it. Pure: text
 * in, plain data out; errors carry file:line:column.
 */
import { isMap, isScalar, parseDocument, type Node, type YAMLMap } from "yaml";
import { configError } from "../../common/errors.js";
import { throwYamlSyntaxError } from "../../common/yaml-source.js";
import { parseDuration } from "./duration.js";
import { resolveExtends } from "./extends.js";
import { imageSpec, services, variables } from "./specs.js";
import type { ParseJobOptions, SmokeJob } from "./types.js";
import { Ctx, node, scriptLines, stringOf } from "./yaml-nodes.js";
import { plainGitlabYaml } from "./yaml-plain.js";

export type { ImageSpec, ParseJobOptions, PullPolicy, ServiceSpec, SmokeJob } from "./types.js";

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

export function listJobs(root: unknown): string[] {
  if (!isMap(root)) return [];
  return root.items
    .map((pair) => (isScalar(pair.key) ? String(pair.key.value) : ""))
    .filter((k) => k !== "" && !k.startsWith(".") && !GLOBAL_KEYWORDS.has(k));
}

/** Parse `text` (a .gitlab-ci.yml) and return the named job. */
export function parseJob(text: string, options: ParseJobOptions): SmokeJob {
  const ctx: Ctx = new Ctx(options.file);
  // GitLab accepts a key written twice (the last one wins): no uniqueKeys here.
  const doc = parseDocument(text, { lineCounter: ctx.lines, merge: true, prettyErrors: false, uniqueKeys: false });
  ctx.doc = doc;
  throwYamlSyntaxError(doc, ctx.lines, options.file);
  plainGitlabYaml(ctx, doc);
  const root = doc.contents;
  if (!isMap(root)) ctx.fail(root, "a .gitlab-ci.yml must be a map of jobs and global keywords");
  const name = selectJob(listJobs(root), options);
  // Build a synthetic document for the job after `extends:`, so positions survive when there is none.
  const jobNode = node(root, name) as Node;
  const hasExtends = isMap(jobNode) && jobNode.has("extends");
  const jobMap: Node = hasExtends ? (doc.createNode(resolveExtends(ctx, root, name)) as Node) : jobNode;
  if (!isMap(jobMap)) ctx.fail(jobNode, `job "${name}" must be a map of keywords`);
  return readJob(ctx, { root, jobNode, jobMap, name, file: options.file });
}

/** The job asked for, else the file's only job. */
function selectJob(jobs: string[], options: ParseJobOptions): string {
  const name = options.job;
  if (name === undefined) {
    if (jobs.length !== 1) {
      throw configError(jobs.length === 0 ? "the file defines no job" : `the file defines ${jobs.length} jobs (${jobs.join(", ")})`, {
        where: options.file,
        hint: jobs.length === 0 ? "add a job with a script:" : `name one with --job ${options.file}#${jobs[0]}`,
      });
    }
    return jobs[0] as string;
  }
  if (!jobs.includes(name)) {
    throw configError(`there is no job "${name}" in the file`, { where: options.file, hint: jobs.length ? `jobs here: ${jobs.join(", ")}` : "add the job" });
  }
  return name;
}

interface JobNodes {
  root: YAMLMap;
  /** The job as written (errors about the job as a whole point here). */
  jobNode: Node;
  /** The job after `extends:`. */
  jobMap: YAMLMap;
  name: string;
  file: string;
}

/** What the file says that smoke reads but cannot honour, one sentence each. */
function ignoredKeys(n: JobNodes, defaults: Node | undefined): string[] {
  const warnings: string[] = [];
  for (const pair of n.jobMap.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (HONOURED.has(key)) continue;
    const meaning = IGNORED_MEANING[key];
    warnings.push(
      meaning
        ? `job "${n.name}": "${key}" (${meaning}) has no effect in a smoke run and is ignored`
        : `job "${n.name}": unknown keyword "${key}" is ignored`,
    );
  }
  for (const key of isMap(defaults) ? defaults.items.map((p) => (isScalar(p.key) ? String(p.key.value) : "")) : []) {
    if (!["image", "services", "before_script", "after_script", "timeout"].includes(key)) {
      warnings.push(`default: "${key}" has no effect in a smoke run and is ignored`);
    }
  }
  if (node(n.root, "include") !== undefined) warnings.push(`include: is not followed by smoke; only jobs and templates in ${n.file} are used`);
  return warnings;
}

function readJob(ctx: Ctx, n: JobNodes): SmokeJob {
  const { root, jobMap, name } = n;
  const defaults = node(root, "default");
  const warnings = ignoredKeys(n, defaults);
  // Job keys win over default: keys, which win over the (deprecated) top-level ones.
  const pick = (key: string): Node | undefined => node(jobMap, key) ?? node(defaults, key) ?? node(root, key);
  // GitLab checks every script in the file's defaults, not only the ones this job inherits.
  for (const key of ["before_script", "after_script"]) {
    scriptLines(ctx, node(defaults, key), `default:${key}`);
    scriptLines(ctx, node(root, key), key);
  }
  const script = scriptLines(ctx, node(jobMap, "script"), `jobs:${name}:script`);
  if (script.length === 0) ctx.fail(n.jobNode, `job "${name}" has no script`, "add script: with at least one command");

  const global = variables(ctx, node(root, "variables"), "variables");
  const own = variables(ctx, node(jobMap, "variables"), `${name}:variables`);
  const job: SmokeJob = {
    name,
    file: n.file,
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
