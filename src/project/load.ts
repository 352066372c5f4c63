import { readFile, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { configError, formatWhere, usageError } from "../common/errors.js";
import { builtinTemplatesDir } from "../template/builtin-dir.js";
import { TemplateStore } from "../template/template-store.js";
import { buildArgLayer, setLayer } from "../template/values.js";
import { didYouMean, listNames } from "../common/nearest.js";
import type { Plan, Variant } from "./plan.js";
import { checkRepositories } from "./repositories.js";
import { resolveVariant, type VariantInputs } from "./resolve.js";
import { platformFlag } from "./platforms.js";
import { projectSchema, type ProjectFile } from "./schema.js";
import { schemaError, schemaProblems } from "../common/schema-errors.js";
import { parseYamlSource, type YamlSource } from "../common/yaml-source.js";

export interface LoadPlanOptions {
  cwd: string;
  /** Project file, relative to cwd (default runner-kit.yaml). */
  configFile?: string;
  /** Only this team's variants. */
  team?: string;
  /** false: only the base variants, none of the teams' (`--no-teams`). */
  teams?: boolean;
  /** Only these images (default: all). */
  images?: string[];
  /** --set key=value overrides of template values. */
  set?: string[];
  /** --build-arg KEY=VALUE overrides. */
  buildArgs?: string[];
  /** Template file cache shared with rendering (optional; one per command). */
  store?: TemplateStore;
  /** --platform values (comma lists): every selected variant is built for these platforms. */
  platforms?: string[];
  /** Built-in templates directory (default: the package's templates/). */
  builtinDir?: string;
}

/**
 * Load runner-kit.yaml and resolve it into a Plan: schema (with file:line:column and the
 * nearest valid key) → rules across keys → one Variant per image and per (team, image).
 */
export async function loadPlan(options: LoadPlanOptions): Promise<Plan> {
  const projectFile = resolve(options.cwd, options.configFile ?? "runner-kit.yaml");
  const source = parseYamlSource(projectFile, await readProjectFile(projectFile));
  const parsed = projectSchema.safeParse(source.data ?? {});
  if (!parsed.success) throw schemaError(source, schemaProblems(source, projectSchema, parsed.error.issues));
  const project = parsed.data;
  const rootDir = dirname(projectFile);
  await checkRules(project, source, rootDir);
  checkRepositories(project, source);

  const inputs: VariantInputs = {
    project,
    source,
    rootDir,
    builtinDir: options.builtinDir ?? builtinTemplatesDir(),
    store: options.store ?? new TemplateStore(),
    set: setLayer(options.set),
    buildArgs: buildArgLayer(options.buildArgs),
    ...(options.platforms?.length ? { platforms: platformFlag(options.platforms) } : {}),
  };
  // Resolved concurrently (their file reads overlap), kept in project-file order.
  const settled = await Promise.allSettled(selectPairs(project, options).map(([image, team]) => resolveVariant(inputs, image, team)));
  const variants: Variant[] = settled.map((r) => {
    if (r.status === "rejected") throw r.reason;
    return r.value;
  });
  const plan: Plan = { projectFile, rootDir, registry: project.registry, variants };
  if (project.runner !== undefined) plan.runner = project.runner;
  if (project.ci !== undefined) plan.ci = project.ci;
  if (project.builder !== undefined) plan.builder = { kind: project.builder, where: `${formatWhere(source.locate(["builder"]))}: builder: ${project.builder}` };
  return plan;
}

async function readProjectFile(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw configError("no project file here", { where: file, hint: "run `runner-kit init` to create one, or pass --config FILE" });
    }
    throw configError(`cannot read the project file: ${(error as Error).message}`, { where: file });
  }
}

/** Checks across keys that a schema cannot express. */
async function checkRules(project: ProjectFile, source: YamlSource, rootDir: string): Promise<void> {
  const images = Object.keys(project.images);
  if (images.length === 0) {
    throw configError("the project defines no images", { where: source.locate(["images"]), hint: "add at least one entry under images:" });
  }
  const dirs: Promise<void>[] = [];
  for (const [team, entry] of Object.entries(project.teams ?? {})) {
    if (project.images[team]) {
      throw configError(`team "${team}" has the same name as an image, so images/${team}/ would hold both`, {
        where: source.locateKey(["teams", team]),
        hint: "rename the team or the image",
      });
    }
    for (const [i, image] of (entry.images ?? []).entries()) {
      if (!project.images[image]) {
        throw configError(`team "${team}" lists unknown image "${image}"${didYouMean(image, images)}`, {
          where: source.locate(["teams", team, "images", i]),
          hint: `images defined in this file: ${listNames(images)}`,
        });
      }
    }
    if (entry.templates) dirs.push(expectDir(resolve(rootDir, entry.templates), source, ["teams", team, "templates"]));
  }
  if (project.templates) dirs.push(expectDir(resolve(rootDir, project.templates), source, ["templates"]));
  // All checked; the first problem in file order is reported.
  const results = await Promise.allSettled(dirs);
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
}

async function expectDir(dir: string, source: YamlSource, path: (string | number)[]): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw configError(`templates directory ${dir} does not exist`, {
      where: source.locate(path),
      hint: "create it or fix the path (relative to runner-kit.yaml)",
    });
  }
}

/** The (image, team?) pairs to resolve, filtered by --team and image names. */
function selectPairs(project: ProjectFile, options: LoadPlanOptions): [string, string | undefined][] {
  const images = Object.keys(project.images);
  const teams = project.teams ?? {};
  for (const image of options.images ?? []) {
    if (!project.images[image]) {
      throw configError(`unknown image "${image}"${didYouMean(image, images)}`, { hint: `images in the project file: ${listNames(images)}` });
    }
  }
  if (options.team !== undefined && !teams[options.team]) {
    const names = Object.keys(teams);
    throw configError(`unknown team "${options.team}"${didYouMean(options.team, names)}`, {
      hint: names.length > 0 ? `teams in the project file: ${listNames(names)}` : "the project file defines no teams",
    });
  }
  if (options.team !== undefined && options.teams === false) throw usageError("--team and --no-teams contradict each other", { hint: "use one of them" });
  const wanted = (image: string) => options.images === undefined || options.images.length === 0 || options.images.includes(image);
  const pairs: [string, string | undefined][] = [];
  if (options.team === undefined) for (const image of images) if (wanted(image)) pairs.push([image, undefined]);
  for (const [team, entry] of options.teams === false ? [] : Object.entries(teams)) {
    if (options.team !== undefined && options.team !== team) continue;
    for (const image of entry.images ?? images) if (wanted(image)) pairs.push([image, team]);
  }
  if (pairs.length === 0) {
    throw configError(`nothing to do: team "${options.team}" has no variant of ${listNames(options.images ?? [])}`, {
      hint: "check the team's images: list in runner-kit.yaml",
    });
  }
  return pairs;
}
