/**
 * Artifacts between the jobs of a local pipeline run, as GitLab Runner moves them: after a
 * job's after_script its `artifacts:paths` (and `reports:junit`/`dotenv`) are copied out of
 * the stopped job container into a folder of this run; before a later job's scripts, the
 * artifacts of the jobs it receives them from are copied into its project directory. The
 * folders live in one temporary directory that the run removes when it ends.
 */
import { existsSync } from "node:fs";
import { cp, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Pack } from "tar-stream";
import type { EngineApi } from "../../engine/engine-api.js";
import type { JobFilesContext } from "../../smoke/run.js";
import { cleanPattern, fetchGroups, projectRelative, underPattern } from "./artifact-paths.js";
import { parseDotenv } from "./dotenv.js";
import type { ArtifactsSpec, PipelineJob } from "./model.js";

/** A job name as a folder name: "build:data/runner-aws" → "build_data_runner-aws". */
export function jobSlug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "_");
}

export class ArtifactStore {
  constructor(
    /** The engine the jobs run on (GET and PUT archive). */
    private readonly engine: EngineApi,
    /** This run's temporary folder. */
    private readonly root: string,
  ) {}

  private paths(job: string): string {
    return join(this.root, "artifacts", jobSlug(job));
  }

  private reports(job: string): string {
    return join(this.root, "reports", jobSlug(job));
  }

  /** Where the artifact `path` of `job` is on this machine, when the job left it (a trigger's include: artifact:). */
  file(job: string, path: string): string | undefined {
    const clean = cleanPattern(path);
    const found = clean === undefined ? undefined : join(this.paths(job), clean);
    return found !== undefined && existsSync(found) ? found : undefined;
  }

  /**
   * Copy the job's artifacts out of its container, when its artifacts:when says so: one
   * archive request per folder the patterns need (see fetchGroups), all at once.
   */
  async collect(c: JobFilesContext, job: PipelineJob, status: "success" | "failed"): Promise<void> {
    const spec = job.artifacts;
    if (!spec || !wanted(spec, status)) return;
    c.log(`Uploading artifacts for ${status === "success" ? "successful" : "failed"} job`);
    const [files] = await Promise.all([
      this.fetch(c, spec.paths, spec.exclude, this.paths(job.name)),
      this.fetch(c, [...spec.junit, ...spec.dotenv], [], this.reports(job.name)),
    ]);
    if (spec.paths.length === 0) return;
    if (files === 0) c.log("ERROR: No files to upload");
    else c.log(`Uploading artifacts... ${files} file(s)`);
  }

  /** Copy the matches of `patterns` (less `exclude`) from the container into `dest`; how many files. */
  private async fetch(c: JobFilesContext, patterns: readonly string[], exclude: string[], dest: string): Promise<number> {
    // Each cleaned pattern once, with the first way it was written (for the warnings).
    const clean = new Map<string, string>();
    for (const pattern of patterns) {
      const p = cleanPattern(pattern);
      if (p === undefined) c.log(`WARNING: ${pattern}: artifact paths must be relative to the project directory (${c.buildDir}); left out`);
      else if (!clean.has(p)) clean.set(p, pattern);
    }
    const excluded = exclude.flatMap((e) => cleanPattern(e) ?? []);
    const hits = new Map<string, number>();
    const counts = await Promise.all([...fetchGroups([...clean.keys()])].map(([base, group]) => this.extract(c, base, group, excluded, dest, hits)));
    for (const [p, pattern] of clean) {
      if (!hits.get(p)) c.log(`WARNING: ${pattern}: no matching files. Ensure that the artifact path is relative to the working directory (${c.buildDir})`);
    }
    return counts.reduce((a, b) => a + b, 0);
  }

  /** One archive of `<buildDir>/<base>` extracted into `dest`: the entries under one of `patterns`; how many files (hits per pattern counted). */
  private async extract(c: JobFilesContext, base: string, patterns: string[], excluded: string[], dest: string, hits: Map<string, number>): Promise<number> {
    let archive: NodeJS.ReadableStream;
    try {
      archive = await this.engine.getContainer(c.containerId).getArchive({ path: base === "." ? c.buildDir : `${c.buildDir}/${base}` });
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      return 0;
    }
    let files = 0;
    const { extract } = await import("tar-fs");
    await new Promise<void>((resolve, reject) => {
      const out = extract(dest, {
        map: (header) => ({ ...header, name: projectRelative(base, header.name) }),
        ignore: (_name, header) => {
          const rel = header?.name ?? "";
          const matched = rel === "" || excluded.some((e) => underPattern(rel, e)) ? [] : patterns.filter((p) => underPattern(rel, p));
          if (matched.length > 0 && header?.type !== "directory") {
            files += 1;
            for (const p of matched) hits.set(p, (hits.get(p) ?? 0) + 1);
          }
          return matched.length === 0;
        },
      });
      out.on("finish", resolve);
      out.on("error", reject);
      archive.on("error", reject);
      archive.pipe(out);
    });
    return files;
  }

  /**
   * Copy the artifacts of `from` into the job's project directory in one archive request;
   * in `from`'s order, a later job's file wins (its entry comes later in the archive).
   */
  async restore(c: JobFilesContext, from: readonly string[]): Promise<void> {
    const dirs = from.filter((name) => existsSync(this.paths(name)));
    if (dirs.length === 0) return;
    for (const name of dirs) c.log(`Downloading artifacts for ${name} ...`);
    const prefix = c.buildDir.replace(/^\/+/, "");
    const { pack } = await import("tar-fs");
    // One tar stream: each folder's entries after the previous folder's.
    const packFrom = (i: number, into?: Pack): Pack => {
      const dir = this.paths(dirs[i]!);
      return pack(dir, {
        ...(into ? { pack: into } : {}),
        // The project folder exists in the container already: only what is under it.
        ignore: (path: string) => path === dir,
        map: (header) => ({ ...header, name: `${prefix}/${header.name}`, uid: 0, gid: 0 }),
        finalize: i === dirs.length - 1,
        finish: (p) => void (i < dirs.length - 1 && packFrom(i + 1, p)),
      });
    };
    const archive = packFrom(0);
    await this.engine.getContainer(c.containerId).putArchive(archive as unknown as NodeJS.ReadableStream, { path: "/" });
  }

  /** The variables of the `reports:dotenv` files of `from` (a later job's value wins). */
  async dotenv(jobs: readonly PipelineJob[], from: readonly string[]): Promise<{ variables: Record<string, string>; warnings: string[] }> {
    const variables: Record<string, string> = {};
    const warnings: string[] = [];
    for (const job of jobs.filter((j) => from.includes(j.name))) {
      for (const file of job.artifacts?.dotenv ?? []) {
        const path = join(this.reports(job.name), cleanPattern(file) ?? "");
        if (!existsSync(path)) continue;
        const parsed = parseDotenv(await readFile(path, "utf8"), `${job.name}: ${file}`);
        Object.assign(variables, parsed.variables);
        warnings.push(...parsed.warnings);
      }
    }
    return { variables, warnings };
  }

  /** Every job's artifacts and reports under `dir/<job>/` (--artifacts-dir); the job names that had some. */
  async exportTo(dir: string, jobs: readonly string[]): Promise<string[]> {
    const done: string[] = [];
    for (const name of jobs) {
      const sources = [this.paths(name), this.reports(name)].filter((p) => existsSync(p));
      for (const source of sources) await cp(source, join(dir, jobSlug(name)), { recursive: true, force: true });
      if (sources.length > 0) done.push(name);
    }
    return done;
  }
}

function wanted(spec: ArtifactsSpec, status: "success" | "failed"): boolean {
  return spec.when === "always" || (spec.when === "on_success") === (status === "success");
}
