/**
 * A .gitlab-ci.yml read as a pipeline: its stages and, per job, what decides when it runs
 * and what it hands on (stage, needs, dependencies, when, allow_failure, artifacts). Pure:
 * text in, plain data out; errors carry file:line:column. The job's own run (image,
 * services, scripts, variables) is read by smoke's job model when the job starts.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node } from "yaml";
import type { SourceLocation } from "../../common/errors.js";
import { throwYamlSyntaxError } from "../../common/yaml-source.js";
import { resolveExtends } from "../../smoke/job/extends.js";
import { listJobs } from "../../smoke/job/parse.js";
import { Ctx, node, optionalList, stringList, stringOf } from "../../smoke/job/yaml-nodes.js";
import { plainGitlabYaml } from "../../smoke/job/yaml-plain.js";

export type When = "on_success" | "on_failure" | "always" | "manual" | "never";
export type ArtifactsWhen = "on_success" | "on_failure" | "always";

export interface Need {
  job: string;
  /** Download the needed job's artifacts (default true). */
  artifacts: boolean;
  /** A job that is not in the pipeline is left out instead of refused. */
  optional: boolean;
  at: SourceLocation;
}

export interface ArtifactsSpec {
  paths: string[];
  exclude: string[];
  when: ArtifactsWhen;
  /** artifacts:reports:junit */
  junit: string[];
  /** artifacts:reports:dotenv: variables for the jobs that receive this job's artifacts. */
  dotenv: string[];
}

/**
 * `trigger: include:` of a child pipeline: a file of the project (`local:`), or an artifact
 * of an earlier job (`artifact:` + `job:`). Undefined `file`: a trigger that cannot run
 * here (another project, a template, several includes), with the reason.
 */
export interface Trigger {
  file?: { local: string } | { artifact: string; job: string };
  /** Why it cannot run here (file undefined). */
  unsupported?: string;
  /** `strategy: depend`: the trigger job takes the child pipeline's result. */
  depend: boolean;
}

export interface PipelineJob {
  name: string;
  stage: string;
  /** Position of the stage in the pipeline's stage list (.pre first, .post last). */
  stageIndex: number;
  /** undefined: the job follows stage order; [] starts at once. */
  needs?: Need[];
  /** `dependencies:`: whose artifacts are downloaded (undefined: the default). */
  dependencies?: string[];
  when: When;
  /** true, false, or the exit codes that are allowed to fail. */
  allowFailure: boolean | number[];
  artifacts?: ArtifactsSpec;
  /** A `trigger:` job: the child pipeline it starts, when it is one the local run can start. */
  trigger?: Trigger;
  /** Keys the local run reads but cannot honour, one sentence each. */
  notes: string[];
  at: SourceLocation;
}

export interface PipelineModel {
  file: string;
  stages: string[];
  /** In file order. */
  jobs: PipelineJob[];
}

const DEFAULT_STAGES = ["build", "test", "deploy"];
const WHEN: readonly When[] = ["on_success", "on_failure", "always", "manual", "never"];

export function readPipeline(text: string, file: string): PipelineModel {
  const ctx = new Ctx(file);
  const doc = parseDocument(text, { lineCounter: ctx.lines, merge: true, prettyErrors: false, uniqueKeys: false });
  ctx.doc = doc;
  throwYamlSyntaxError(doc, ctx.lines, file);
  plainGitlabYaml(ctx, doc);
  const root = doc.contents;
  if (!isMap(root)) ctx.fail(root, "a .gitlab-ci.yml must be a map of jobs and global keywords");
  const declared = node(root, "stages");
  const stages = [".pre", ...(declared === undefined ? DEFAULT_STAGES : stringList(ctx, declared, "stages")), ".post"];
  const jobs = listJobs(root).map((name) => readPipelineJob(ctx, root as Node, name, stages));
  if (jobs.length === 0) ctx.fail(root, "the pipeline defines no job", "add a job with a script:");
  return { file, stages, jobs };
}

function readPipelineJob(ctx: Ctx, root: Node, name: string, stages: string[]): PipelineJob {
  const written = node(root, name);
  const key = isMap(root) ? root.items.find((p) => isScalar(p.key) && String(p.key.value) === name)?.key : undefined;
  const at = ctx.where(key ?? written);
  if (!isMap(written)) ctx.fail(written, `job "${name}" must be a map of keywords`);
  // After extends: (positions survive only when there is none).
  const job: Node = written.has("extends") ? (ctx.doc.createNode(resolveExtends(ctx, root, name)) as Node) : written;
  const stageNode = node(job, "stage");
  const stage = stageNode === undefined ? "test" : stringOf(ctx, stageNode, `${name}:stage`);
  const stageIndex = stages.indexOf(stage);
  if (stageIndex < 0) {
    ctx.fail(stageNode ?? key, `jobs:${name} chosen stage ${stage} does not exist; available stages are ${stages.join(", ")}`, "declare the stage under stages:, or choose one of these");
  }
  const notes: string[] = [];
  const whenNode = node(job, "when");
  const when = whenNode === undefined ? "on_success" : stringOf(ctx, whenNode, `${name}:when`);
  if (when === "delayed") notes.push(`job "${name}": when: delayed runs at once locally (start_in is not waited for)`);
  else if (!WHEN.includes(when as When)) ctx.fail(whenNode, `jobs:${name} when is "${when}"`, `use one of ${WHEN.join(", ")}`);
  if (node(job, "rules") !== undefined) notes.push(`job "${name}": rules: are not evaluated locally; the job runs as if they matched`);
  const dependencies = optionalList(ctx, node(job, "dependencies"), `${name}:dependencies`);
  const artifacts = readArtifacts(ctx, node(job, "artifacts"), name, notes);
  return {
    name, stage, stageIndex, when: when === "delayed" ? "on_success" : (when as When),
    allowFailure: readAllowFailure(ctx, node(job, "allow_failure"), name, when === "manual"),
    notes, at,
    ...(node(job, "trigger") !== undefined ? { trigger: readTrigger(ctx, node(job, "trigger"), name) } : {}),
    ...readNeeds(ctx, node(job, "needs"), name),
    ...(dependencies !== undefined ? { dependencies } : {}),
    ...(artifacts ? { artifacts } : {}),
  };
}

function readNeeds(ctx: Ctx, n: Node | undefined, name: string): { needs?: Need[] } {
  if (n === undefined) return {};
  if (!isSeq(n)) ctx.fail(n, `jobs:${name} needs must be a list of jobs`);
  const needs = n.items.map((item): Need => {
    const at = ctx.where(item);
    if (isScalar(item)) return { job: stringOf(ctx, item, `${name}:needs`), artifacts: true, optional: false, at };
    if (!isMap(item) || node(item, "job") === undefined) {
      ctx.fail(item, `jobs:${name} needs: an entry must be a job name or { job: NAME }`, "needs: from other pipelines or projects are not run locally");
    }
    const flag = (k: string, dflt: boolean) => {
      const v = node(item, k);
      if (v === undefined) return dflt;
      if (!isScalar(v) || typeof v.value !== "boolean") ctx.fail(v, `jobs:${name} needs: ${k} must be true or false`);
      return v.value as boolean;
    };
    return { job: stringOf(ctx, node(item, "job"), `${name}:needs:job`), artifacts: flag("artifacts", true), optional: flag("optional", false), at };
  });
  return { needs };
}

function readAllowFailure(ctx: Ctx, n: Node | undefined, name: string, manual: boolean): boolean | number[] {
  // A manual job may fail by default (GitLab: it does not block the pipeline).
  if (n === undefined) return manual;
  if (isScalar(n) && typeof n.value === "boolean") return n.value;
  const codes = node(n, "exit_codes");
  if (isMap(n) && codes !== undefined) {
    const list = isSeq(codes) ? codes.items : [codes];
    return list.map((c) => {
      if (!isScalar(c) || typeof c.value !== "number" || !Number.isInteger(c.value)) ctx.fail(c, `jobs:${name} allow_failure:exit_codes must be integers`);
      return c.value as number;
    });
  }
  ctx.fail(n, `jobs:${name} allow_failure must be true, false or { exit_codes: [...] }`);
}

function readArtifacts(ctx: Ctx, n: Node | undefined, name: string, notes: string[]): ArtifactsSpec | undefined {
  if (n === undefined) return undefined;
  if (!isMap(n)) ctx.fail(n, `jobs:${name} artifacts must be a map`);
  const whenNode = node(n, "when");
  const when = whenNode === undefined ? "on_success" : stringOf(ctx, whenNode, `${name}:artifacts:when`);
  if (!["on_success", "on_failure", "always"].includes(when)) ctx.fail(whenNode, `jobs:${name} artifacts:when is "${when}"`, "use on_success, on_failure or always");
  const reports = node(n, "reports");
  for (const k of isMap(reports) ? reports.items.map((p) => (isScalar(p.key) ? String(p.key.value) : "")) : []) {
    if (k !== "junit" && k !== "dotenv") notes.push(`job "${name}": artifacts:reports:${k} is not collected locally`);
  }
  if (node(n, "untracked") !== undefined) notes.push(`job "${name}": artifacts:untracked is not collected locally; list the paths`);
  return {
    paths: optionalList(ctx, node(n, "paths"), `${name}:artifacts:paths`) ?? [],
    exclude: optionalList(ctx, node(n, "exclude"), `${name}:artifacts:exclude`) ?? [],
    when: when as ArtifactsWhen,
    junit: optionalList(ctx, node(reports, "junit"), `${name}:artifacts:reports:junit`) ?? [],
    dotenv: optionalList(ctx, node(reports, "dotenv"), `${name}:artifacts:reports:dotenv`) ?? [],
  };
}

function readTrigger(ctx: Ctx, n: Node | undefined, name: string): Trigger {
  const depend = isMap(n) && isScalar(node(n, "strategy")) && String((node(n, "strategy") as { value: unknown }).value) === "depend";
  if (isScalar(n) || (isMap(n) && node(n, "project") !== undefined)) return { depend, unsupported: "it starts a pipeline of another project" };
  const include = node(n, "include");
  const entries = isSeq(include) ? include.items : include === undefined ? [] : [include];
  if (entries.length !== 1) return { depend, unsupported: "only a trigger with one include: runs locally" };
  const entry = entries[0] as Node;
  if (isScalar(entry)) return { depend, file: { local: stringOf(ctx, entry, `${name}:trigger:include`) } };
  const local = node(entry, "local");
  if (local !== undefined) return { depend, file: { local: stringOf(ctx, local, `${name}:trigger:include:local`) } };
  const artifact = node(entry, "artifact");
  if (artifact !== undefined) {
    const job = node(entry, "job");
    if (job === undefined) ctx.fail(entry, `jobs:${name} trigger:include:artifact needs job: (the job that made the file)`);
    return { depend, file: { artifact: stringOf(ctx, artifact, `${name}:trigger:include:artifact`), job: stringOf(ctx, job, `${name}:trigger:include:job`) } };
  }
  return { depend, unsupported: "only include: local: or artifact: runs locally" };
}
