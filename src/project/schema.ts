import { z } from "zod";
import { runnerSectionSchema } from "./runner-schema.js";
import { cacheSchema, secretsSchema } from "./build-settings-schema.js";

/**
 * The shape of runner-kit.yaml. Every object is strict: an unknown key is an error with
 * its position and the nearest valid key (see schema-errors.ts).
 */

/** One path component of an image reference (distribution/reference), used for image and team names. */
export const NAME_PATTERN = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

const name = (what: string) =>
  z.string().regex(NAME_PATTERN, `${what} names must be lowercase letters, digits and single . _ - separators`);

/** Build arg values: YAML scalars, kept as the strings Docker receives. */
const argValue = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));
const argsSchema = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "build arg names are letters, digits and _"), argValue);
const valuesSchema = z.record(z.string(), z.unknown());
/** Platform strings; parsed and normalised with their positions by project/platforms.ts. */
const platformsSchema = z.array(z.string().min(1)).min(1);

export const imageSchema = z
  .object({
    /** Template name (a directory in the lookup chain); default: the image name. */
    template: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "template names are letters, digits, . _ and - (a directory name, not a path)").optional(),
    description: z.string().optional(),
    args: argsSchema.optional(),
    values: valuesSchema.optional(),
    /** Build context dir, relative to the project file; default: the rendered Dockerfile's dir. */
    context: z.string().min(1).optional(),
    /** Tag templates rendered with {args, values}; default ["latest"]. */
    tags: z.array(z.string().min(1)).min(1).optional(),
    /** Build stage target. */
    target: z.string().min(1).optional(),
    /** Smoke job: FILE or FILE#JOB, relative to the project file (existence checked when smoking). */
    smoke: z.string().min(1).optional(),
    /** Build secrets by id (RUN --mount=type=secret,id=…): { file: PATH } or { env: VAR }. */
    secrets: secretsSchema.optional(),
    /** Registry cache: cache-from images and inline cache metadata. */
    cache: cacheSchema.optional(),
    /** Target platforms (os/arch[/variant]); one tag becomes an OCI image index. Default: the daemon's platform. */
    platforms: platformsSchema.optional(),
  })
  .strict();

export const teamSchema = z
  .object({
    description: z.string().optional(),
    /** Overlay dir searched first for templates and partials. */
    templates: z.string().min(1).optional(),
    values: valuesSchema.optional(),
    args: argsSchema.optional(),
    /** The images this team gets a variant of; default: all. */
    images: z.array(z.string()).optional(),
    /** Build secrets for the team's variants, over the image's (same id: the team's wins). */
    secrets: secretsSchema.optional(),
    /** Registry cache for the team's variants, key by key over the image's. */
    cache: cacheSchema.optional(),
    /** The team's variants are built for these platforms instead of the image's. */
    platforms: platformsSchema.optional(),
    runner: runnerSectionSchema.optional(),
  })
  .strict();

/** A CI service: an image name, or GitLab's `services:` entry form. */
const ciServiceSchema = z.union([
  z.string().min(1),
  z
    .object({
      name: z.string().min(1),
      alias: z.string().min(1).optional(),
      command: z.array(z.string()).optional(),
      entrypoint: z.array(z.string()).optional(),
      variables: z.record(z.string(), argValue).optional(),
    })
    .strict(),
]);

/**
 * `ci:` — how the jobs of the generated pipeline (`runner-kit ci`) get runner-kit and a
 * Docker daemon. Defaults live in src/pipeline/ci-settings.ts.
 */
export const ciSchema = z
  .object({
    /** image: runner-kit is on PATH in `image`; npx: `npx --yes runner-kit@<version>`; package: the project's package.json pins it. */
    install: z.enum(["image", "npx", "package"]).optional(),
    /** The image the jobs run in. */
    image: z.string().min(1).optional(),
    /** The jobs' services; default the docker:dind service with TLS. */
    services: z.array(ciServiceSchema).optional(),
    /** Runner tags: route the jobs to runners that allow privileged (dind) services. */
    tags: z.array(z.string().min(1)).optional(),
    /** Extra variables for every job. */
    variables: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "variable names are letters, digits and _"), argValue).optional(),
    /**
     * Build each platform of a multi-platform image in its own parallel job (pushed by
     * digest, no tag), then one job per image that pushes the OCI index and moves the tags.
     * Default false: one job builds an image's platforms one after another.
     */
    platform_jobs: z.boolean().optional(),
  })
  .strict();

export const projectSchema = z
  .object({
    registry: z
      .string()
      .min(1)
      .regex(/^[^\s/:]+(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/, "registry must look like host[:port][/path] with a lowercase path, without scheme, tag or trailing slash"),
    templates: z.string().min(1).optional(),
    /** Which builder of the daemon builds: BuildKit (the default wherever the daemon has it) or the classic builder. */
    builder: z.enum(["buildkit", "classic"]).optional(),
    images: z.record(name("image"), imageSchema),
    teams: z.record(name("team"), teamSchema).optional(),
    runner: runnerSectionSchema.optional(),
    ci: ciSchema.optional(),
  })
  .strict();

export type CiSection = z.infer<typeof ciSchema>;
export type ProjectFile = z.infer<typeof projectSchema>;
export type ImageEntry = z.infer<typeof imageSchema>;
export type TeamEntry = z.infer<typeof teamSchema>;
