/**
 * The job model: one job of a .gitlab-ci.yml, as the Docker executor sees it. Pure: text
 * in, plain data out; errors carry file:line:column.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node, type YAMLMap } from "yaml";
import { didYouMean } from "../../common/nearest.js";
import { configError } from "../../common/errors.js";
import { throwYamlSyntaxError } from "../../common/yaml-source.js";
import { parseDuration } from "./duration.js";
import { resolveExtends } from "./extends.js";
import { imageSpec, services, variables } from "./specs.js";
import type { ParseJobOptions, SmokeJob } from "./types.js";
import { Ctx, node, scriptLines, stringList, stringOf } from "./yaml-nodes.js";
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
  run: "CI steps", dast_configuration: "DAST", publish: "GitLab Pages", type: "the deprecated name of stage",
};
/** Every key GitLab accepts in a job: anything else makes GitLab refuse the file. */
const JOB_KEYS = [...HONOURED, ...Object.keys(IGNORED_MEANING)];

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
    warnings.push(`job "${n.name}": "${key}" (${IGNORED_MEANING[key]}) has no effect in a smoke run and is ignored`);
  }
  for (const key of isMap(defaults) ? defaults.items.map((p) => (isScalar(p.key) ? String(p.key.value) : "")) : []) {
    if (!["image", "services", "before_script", "after_script", "timeout"].includes(key)) {
      warnings.push(`default: "${key}" has no effect in a smoke run and is ignored`);
    }
  }
  if (node(n.root, "include") !== undefined) warnings.push(`include: is not followed by smoke; only jobs and templates in ${n.file} are used`);
  return warnings;
}

/**
 * GitLab refuses a job with a key it does not know (`jobs:x config contains unknown keys`):
 * so does smoke, at the key — in the job or in a template it extends — naming the nearest
 * valid one, before a typo such as `scirpt:` can read as "has no script".
 */
function checkJobKeys(ctx: Ctx, n: JobNodes): void {
  const seen = new Set<Node>();
  const check = (job: Node | undefined): void => {
    if (!isMap(job) || seen.has(job)) return;
    seen.add(job);
    for (const pair of job.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      if (!JOB_KEYS.includes(key)) {
        ctx.fail(pair.key, `job "${n.name}" has the unknown key "${key}"${didYouMean(key, JOB_KEYS)}`, "GitLab refuses a job with a key it does not know; fix or remove the key");
      }
    }
    const ext = node(job, "extends");
    const parents = isSeq(ext) ? ext.items : [ext];
    for (const parent of parents) if (isScalar(parent)) check(node(n.root, String(parent.value)));
  };
  check(n.jobNode);
}

/** GitLab's stages when the file declares none; .pre and .post always exist. */
const DEFAULT_STAGES = ["build", "test", "deploy"];

/** The job's stage (default test), which must be one the file declares, as GitLab requires. */
function jobStage(ctx: Ctx, n: JobNodes): string {
  const stageNode = node(n.jobMap, "stage");
  const stage = stageNode === undefined ? "test" : stringOf(ctx, stageNode, "stage");
  const declared = node(n.root, "stages");
  const stages = [".pre", ...(declared === undefined ? DEFAULT_STAGES : stringList(ctx, declared, "stages")), ".post"];
  if (!stages.includes(stage)) {
    ctx.fail(stageNode ?? n.jobNode, `jobs:${n.name} chosen stage ${stage} does not exist; available stages are ${stages.join(", ")}`, "declare the stage under stages:, or choose one of these");
  }
  return stage;
}

function readJob(ctx: Ctx, n: JobNodes): SmokeJob {
  const { root, jobMap, name } = n;
  checkJobKeys(ctx, n);
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
  if (script.every((line) => line.trim() === "")) ctx.fail(node(jobMap, "script") ?? n.jobNode, `jobs:${name} script can't be blank`, "give script: at least one command");
  const stage = jobStage(ctx, n);

  const global = variables(ctx, node(root, "variables"), "variables");
  const own = variables(ctx, node(jobMap, "variables"), `${name}:variables`);
  const job: SmokeJob = {
    name,
    file: n.file,
    stage,
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
