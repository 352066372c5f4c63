/**
 * Structural rules of a GitLab CI configuration that a generated pipeline must meet
 * (GitLab's own JSON schema is not available from a package here): known top-level and
 * job keywords, stages that exist, `needs` naming jobs that exist in earlier or the same
 * stage, no cycles, a script in every job.
 */

const GLOBAL_KEYWORDS = new Set(["default", "include", "stages", "variables", "workflow", "image", "services", "cache", "before_script", "after_script"]);
const JOB_KEYWORDS = new Set([
  "after_script", "allow_failure", "artifacts", "before_script", "cache", "coverage", "dast_configuration", "dependencies",
  "environment", "extends", "hooks", "id_tokens", "identity", "image", "inherit", "interruptible", "manual_confirmation",
  "needs", "pages", "parallel", "release", "resource_group", "retry", "rules", "script", "run", "secrets", "services",
  "stage", "tags", "timeout", "trigger", "variables", "when",
]);
const DEFAULT_KEYWORDS = new Set(["after_script", "artifacts", "before_script", "cache", "hooks", "id_tokens", "image", "interruptible", "retry", "services", "tags", "timeout"]);

export function pipelineProblems(pipeline: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const stages = Array.isArray(pipeline.stages) ? (pipeline.stages as unknown[]).map(String) : [".pre", "build", "test", "deploy", ".post"];
  const jobs = new Map<string, Record<string, unknown>>();
  for (const [key, value] of Object.entries(pipeline)) {
    if (GLOBAL_KEYWORDS.has(key)) continue;
    if (key.startsWith(".")) continue; // hidden job / anchor
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      problems.push(`${key}: a job must be a mapping`);
      continue;
    }
    jobs.set(key, value as Record<string, unknown>);
  }
  const defaults = pipeline.default;
  if (defaults !== undefined) {
    for (const key of Object.keys(defaults as object)) if (!DEFAULT_KEYWORDS.has(key)) problems.push(`default: unknown keyword ${key}`);
  }
  if (jobs.size === 0) problems.push("the pipeline has no jobs (GitLab rejects an empty pipeline)");

  const stageIndex = (job: Record<string, unknown>) => stages.indexOf(typeof job.stage === "string" ? job.stage : "test");
  for (const [name, job] of jobs) {
    for (const key of Object.keys(job)) if (!JOB_KEYWORDS.has(key)) problems.push(`${name}: unknown keyword ${key}`);
    if (stageIndex(job) < 0) problems.push(`${name}: stage ${String(job.stage)} is not in stages`);
    if (!job.script && !job.trigger && !job.run) problems.push(`${name}: no script`);
    for (const need of needsOf(job)) {
      const target = jobs.get(need);
      if (!target) problems.push(`${name}: needs ${need}, which is not a job`);
      else if (stageIndex(target) > stageIndex(job)) problems.push(`${name}: needs ${need}, which runs in a later stage`);
    }
  }
  const cycle = findCycle(jobs);
  if (cycle) problems.push(`needs form a cycle: ${cycle.join(" → ")}`);
  return problems;
}

function needsOf(job: Record<string, unknown>): string[] {
  if (!Array.isArray(job.needs)) return [];
  return (job.needs as unknown[]).map((n) => (typeof n === "string" ? n : String((n as { job?: unknown }).job)));
}

function findCycle(jobs: Map<string, Record<string, unknown>>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "visiting") return [...path.slice(path.indexOf(name)), name];
    state.set(name, "visiting");
    path.push(name);
    for (const need of needsOf(jobs.get(name) ?? {})) {
      if (!jobs.has(need)) continue;
      const found = visit(need);
      if (found) return found;
    }
    path.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const name of [...jobs.keys()].sort()) {
    const found = visit(name);
    if (found) return found;
  }
  return undefined;
}
