import type { RunnerSection } from "./runner-schema.js";
/**
 * The Plan: what runner-kit.yaml resolves to. Every later step (render, build, config, ci)
 * takes plain Plan data, never the raw YAML.
 *
 * CONTRACT shared by several rooms; extend with optional fields, do not rename.
 */
import type { CiSection } from "./schema.js";
export interface SmokeRef {
  /** Absolute path of the .gitlab-ci.yml file. */
  file: string;
  /** Job name within it; undefined → the file's only (or first) job. */
  job?: string;
}

export interface Variant {
  /** "runner-aws" for the base variant, "data/runner-aws" for team data's variant. */
  id: string;
  /** The image key in runner-kit.yaml. */
  image: string;
  /** The team of a team variant. */
  team?: string;
  /** Template name, e.g. "runner-aws". */
  template: string;
  /** Template lookup chain, first match wins: team overlay, project templates, built-ins. */
  templateDirs: string[];
  /** Template values after merging (defaults < image < team < --set). */
  values: Record<string, unknown>;
  /** Docker build args after merging (image < team < --build-arg). */
  args: Record<string, string>;
  /** Fully qualified repository: <registry>/<image> or <registry>/<team>/<image>. */
  repository: string;
  /** Tags, already rendered (e.g. "v17.3.0", "latest"). */
  tags: string[];
  /** Absolute build context directory. */
  context: string;
  /** Absolute path of the rendered Dockerfile (images/<image>/Dockerfile or images/<team>/<image>/Dockerfile). */
  dockerfile: string;
  /** Build stage target, when set in the project file. */
  target?: string;
  smoke?: SmokeRef;
  /**
   * Target platforms, normalised ("linux/amd64", "linux/arm64"): the team's `platforms:`,
   * else the image's, else (or overridden by) `--platform`. Absent: the daemon's own
   * platform only, one image per tag as before; present: one image per platform under an
   * OCI image index.
   */
  platforms?: string[];
  /** The validated `teams.<team>.runner:` section of this variant's team, when present. */
  runner?: RunnerSection;
  /**
   * Where each build arg's value comes from (added by the findings fix): the template's
   * defaults, the project file (its position), or --build-arg. The build uses it to name
   * an arg the rendered Dockerfile does not declare.
   */
  argSources?: Record<string, ArgSource>;
  /** Build secrets by id (`secrets:` of the image, then the team), when any. */
  secrets?: Record<string, VariantSecret>;
  /** Registry cache (`cache:` of the image, the team's keys over it), when set. */
  cache?: VariantCache;
}

/** A build secret of a variant: a file (absolute) or an environment variable, and where the project file says so. */
export type VariantSecret = ({ file: string } | { env: string }) & {
  /** "runner-kit.yaml:12:7 (images.app.secrets.npmrc)", for the error when the file or variable is missing. */
  where: string;
};

/** A variant's registry cache (`cache:`): images whose layers a build may reuse, and inline cache metadata. */
export interface VariantCache {
  from: string[];
  inline: boolean;
}

export interface ArgSource {
  from: "template" | "image" | "team" | "--build-arg";
  /** The key's position in the project file (image and team args). */
  where?: { file: string; line?: number; column?: number };
  /** The mapping it is in, e.g. "images.app.args" (image and team args). */
  key?: string;
}

export interface Plan {
  /** Absolute path of runner-kit.yaml. */
  projectFile: string;
  /** Directory of the project file; relative paths in it resolve from here. */
  rootDir: string;
  /** Registry prefix, e.g. "registry.example.com:5000/platform". */
  registry: string;
  variants: Variant[];
  /** The validated `runner:` section (project/runner-schema.ts), when present. */
  runner?: RunnerSection;
  /** The validated `ci:` section, when present. */
  ci?: CiSection;
  /** `builder:` when the project names one, with where it is written (for errors). */
  builder?: { kind: "buildkit" | "classic"; where: string };
}
