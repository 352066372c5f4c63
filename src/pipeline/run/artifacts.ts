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
import type Docker from "dockerode";
import type { JobFilesContext } from "../../smoke/run.js";
import { cleanPattern, patternBase, projectRelative, underPattern } from "./artifact-paths.js";
import { parseDotenv } from "./dotenv.js";
import type { ArtifactsSpec, PipelineJob } from "./model.js";

/** A job name as a folder name: "build:data/runner-aws" → "build_data_runner-aws". */
export function jobSlug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "_");
}

export class ArtifactStore {
  constructor(
    /** dockerode (for GET archive), connected on first use: a run without artifacts never loads it. */
    private readonly docker: () => Promise<Docker>,
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

  /** Copy the job's artifacts out of its container, when its artifacts:when says so. */
  async collect(c: JobFilesContext, job: PipelineJob, status: "success" | "failed"): Promise<void> {
    const spec = job.artifacts;
    if (!spec || !wanted(spec, status)) return;
    c.log(`Uploading artifacts for ${status === "success" ? "successful" : "failed"} job`);
    if (spec.paths.length > 0) {
      let files = 0;
      for (const pattern of spec.paths) files += await this.fetch(c, pattern, spec.exclude, this.paths(job.name));
      if (files === 0) c.log("ERROR: No files to upload");
      else c.log(`Uploading artifacts... ${files} file(s)`);
    }
    for (const pattern of [...spec.junit, ...spec.dotenv]) await this.fetch(c, pattern, [], this.reports(job.name));
  }

  /** Copy `pattern`'s matches (less `exclude`) from the container into `dest`; how many files. */
  private async fetch(c: JobFilesContext, pattern: string, exclude: string[], dest: string): Promise<number> {
    const clean = cleanPattern(pattern);
    if (clean === undefined) {
      c.log(`WARNING: ${pattern}: artifact paths must be relative to the project directory (${c.buildDir}); left out`);
      return 0;
    }
    const base = patternBase(clean);
    const excluded = exclude.flatMap((e) => cleanPattern(e) ?? []);
    let archive: NodeJS.ReadableStream;
    try {
      archive = await (await this.docker()).getContainer(c.containerId).getArchive({ path: base === "." ? c.buildDir : `${c.buildDir}/${base}` });
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      c.log(`WARNING: ${pattern}: no matching files. Ensure that the artifact path is relative to the working directory (${c.buildDir})`);
      return 0;
    }
    let files = 0;
    const { extract } = await import("tar-fs");
    await new Promise<void>((resolve, reject) => {
      const out = extract(dest, {
        map: (header) => ({ ...header, name: projectRelative(base, header.name) }),
        ignore: (_name, header) => {
          const rel = header?.name ?? "";
          const keep = rel !== "" && underPattern(rel, clean) && !excluded.some((e) => underPattern(rel, e));
          if (keep && header?.type !== "directory") files += 1;
          return !keep;
        },
      });
      out.on("finish", resolve);
      out.on("error", reject);
      archive.on("error", reject);
      archive.pipe(out);
    });
    if (files === 0) c.log(`WARNING: ${pattern}: no matching files. Ensure that the artifact path is relative to the working directory (${c.buildDir})`);
    return files;
  }

  /** Copy the artifacts of `from` (in order: a later job's file wins) into the job's project directory. */
  async restore(c: JobFilesContext, from: readonly string[]): Promise<void> {
    const { pack } = await import("tar-fs");
    const prefix = c.buildDir.replace(/^\/+/, "");
    for (const name of from) {
      const dir = this.paths(name);
      if (!existsSync(dir)) continue;
      c.log(`Downloading artifacts for ${name} ...`);
      const archive = pack(dir, {
        // The project folder exists in the container already: only what is under it.
        ignore: (path: string) => path === dir,
        map: (header) => ({ ...header, name: `${prefix}/${header.name}`, uid: 0, gid: 0 }),
      });
      await (await this.docker()).getContainer(c.containerId).putArchive(archive as unknown as NodeJS.ReadableStream, { path: "/" });
    }
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
