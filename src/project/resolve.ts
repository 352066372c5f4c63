import { isAbsolute, join, resolve } from "node:path";
import { configError } from "../common/errors.js";
import { templateDefaults } from "../template/defaults.js";
import { resolveTemplate } from "../template/lookup.js";
import type { TemplateStore } from "../template/template-store.js";
import { mergeValues, type Values } from "../template/values.js";
import type { ArgSource, SmokeRef, Variant } from "./plan.js";
import type { ImageEntry, ProjectFile, TeamEntry } from "./schema.js";
import { renderTags } from "./tags.js";
import { variantCache, variantSecrets } from "./build-settings.js";
import { platformList } from "./platforms.js";
import type { YamlSource } from "../common/yaml-source.js";

export interface VariantInputs {
  project: ProjectFile;
  source: YamlSource;
  rootDir: string;
  builtinDir: string;
  store: TemplateStore;
  set: Values;
  buildArgs: Record<string, string>;
  /** --platform (normalised): every variant is built for these. */
  platforms?: string[];
}

/** One (image, team?) pair resolved into a Variant: template chain, merged values and args, tags, paths. */
export async function resolveVariant(inputs: VariantInputs, image: string, team?: string): Promise<Variant> {
  const { project, source, rootDir, store } = inputs;
  const entry = project.images[image] as ImageEntry;
  const teamEntry: TeamEntry | undefined = team === undefined ? undefined : project.teams?.[team];
  const templateDirs = [
    ...(teamEntry?.templates ? [resolve(rootDir, teamEntry.templates)] : []),
    ...(project.templates ? [resolve(rootDir, project.templates)] : []),
    inputs.builtinDir,
  ].filter((dir, i, all) => all.indexOf(dir) === i);

  const template = entry.template ?? image;
  try {
    await resolveTemplate(store, templateDirs, template);
  } catch (error) {
    const where = source.locate(entry.template ? ["images", image, "template"] : ["images", image]);
    throw configError(`image "${image}"${team ? ` (team ${team})` : ""}: ${(error as Error).message}`, {
      where,
      hint: (error as { hint?: string }).hint ?? "set images.<name>.template to an existing template",
    });
  }
  const defaults = await templateDefaults(store, templateDirs, template);
  const values = mergeValues(defaults.values, entry.values, teamEntry?.values, inputs.set);
  const args = { ...defaults.args, ...entry.args, ...teamEntry?.args, ...inputs.buildArgs };

  const relDir = team === undefined ? join("images", image) : join("images", team, image);
  const outDir = join(rootDir, relDir);
  const variant: Variant = {
    id: team === undefined ? image : `${team}/${image}`,
    image,
    ...(team === undefined ? {} : { team }),
    template,
    templateDirs,
    values,
    args,
    repository: team === undefined ? `${project.registry}/${image}` : `${project.registry}/${team}/${image}`,
    tags: renderTags(entry.tags ?? ["latest"], { args, values }, source, ["images", image, "tags"]),
    context: entry.context ? resolve(rootDir, entry.context) : outDir,
    dockerfile: join(outDir, "Dockerfile"),
  };
  if (entry.target) variant.target = entry.target;
  if (entry.smoke) variant.smoke = smokeRef(rootDir, entry.smoke);
  const platforms = variantPlatforms(inputs, image, team);
  if (platforms) variant.platforms = platforms;
  if (teamEntry?.runner !== undefined) variant.runner = teamEntry.runner;
  variant.argSources = argSources(inputs, defaults.args, image, team);
  const secrets = variantSecrets(project, source, rootDir, image, team);
  if (secrets) variant.secrets = secrets;
  const cache = variantCache(project, image, team);
  if (cache) variant.cache = cache;
  return variant;
}

/** --platform, else the team's platforms:, else the image's (each a list, never merged). */
function variantPlatforms(inputs: VariantInputs, image: string, team: string | undefined): string[] | undefined {
  if (inputs.platforms) return inputs.platforms;
  const teamList = team === undefined ? undefined : inputs.project.teams?.[team]?.platforms;
  const path = teamList ? ["teams", team!, "platforms"] : ["images", image, "platforms"];
  const list = teamList ?? inputs.project.images[image]?.platforms;
  return list ? platformList(list, (i) => inputs.source.locate([...path, i])) : undefined;
}

/** Which layer each merged build arg comes from (the last one that sets it). */
function argSources(inputs: VariantInputs, defaults: Record<string, string> | undefined, image: string, team: string | undefined): Record<string, ArgSource> {
  const sources: Record<string, ArgSource> = {};
  for (const name of Object.keys(defaults ?? {})) sources[name] = { from: "template" };
  for (const name of Object.keys(inputs.project.images[image]?.args ?? {})) {
    sources[name] = { from: "image", where: inputs.source.locateKey(["images", image, "args", name]), key: `images.${image}.args` };
  }
  if (team !== undefined) {
    for (const name of Object.keys(inputs.project.teams?.[team]?.args ?? {})) {
      sources[name] = { from: "team", where: inputs.source.locateKey(["teams", team, "args", name]), key: `teams.${team}.args` };
    }
  }
  for (const name of Object.keys(inputs.buildArgs)) sources[name] = { from: "--build-arg" };
  return sources;
}

/** `smoke/x.gitlab-ci.yml#job` → absolute file + job. The file is checked when smoking, not here. */
export function smokeRef(rootDir: string, text: string): SmokeRef {
  const hash = text.lastIndexOf("#");
  const file = hash >= 0 ? text.slice(0, hash) : text;
  const job = hash >= 0 ? text.slice(hash + 1) : undefined;
  const ref: SmokeRef = { file: isAbsolute(file) ? file : resolve(rootDir, file) };
  if (job) ref.job = job;
  return ref;
}
