import type Docker from "dockerode";
import type { RegistryCredential } from "../auth/types.js";
import type { FetchLike } from "../push/registry-api.js";
import type { ContextEntry } from "../builder/context-files.js";
import type { ImageClient } from "../builder/image-client.js";
import type { Dockerfile } from "../dockerfile/parse.js";
import type { BuilderKind } from "../builder/image-builder.js";
import type { Variant, VariantSecret } from "../project/plan.js";
import type { SecretSet } from "../common/secrets.js";
import type { PlatformTarget } from "./platform-targets.js";
import type { LockFile } from "../lock/lockfile.js";

/** The fragments an index step reads, merged (lock merge's rule), and where they came from (for messages). */
export interface IndexFragments {
  lock: LockFile;
  from: string;
}

export type VariantStatus = "built" | "up-to-date" | "failed";

/** One image's line in the summary (and in the --json document). */
export interface VariantResult {
  id: string;
  repository: string;
  tags: string[];
  status: VariantStatus;
  durationMs: number;
  contentHash?: string;
  imageId?: string;
  /** Registry manifest digest: pushed this run, or found in the registry as up to date. */
  digest?: string;
  pushed: boolean;
  /** Base images (FROM) → digest, or the local image id when the image has no registry digest. */
  baseImages: Record<string, string>;
  error?: string;
  /** For a failed build: the step that failed and its last output lines. */
  failedStep?: string;
  output?: string[];
  /** With --smoke: the smoke job's outcome ("none": the image has no smoke job). */
  smoke?: VariantSmoke;
  /** A multi-platform variant: each platform's image (digest is then the index's). */
  platforms?: Record<string, PlatformResult>;
  /** A registry refused a push or pull and a credential helper that could have answered had failed: which, why, what to do. */
  credentialProblem?: string;
}

/** One platform's image of a multi-platform variant. */
export interface PlatformResult {
  contentHash: string;
  imageId?: string;
  /** Its manifest digest in the registry (pushed by digest, named by the index). */
  digest?: string;
  smoke?: VariantSmoke;
}

export interface VariantSmoke {
  result: "passed" | "failed" | "none";
  job?: string;
  durationMs?: number;
  exitCode?: number;
  reason?: string;
}

/** Where build progress goes; implementations for TTY, plain CI logs and GitLab sections. */
export interface BuildReporter {
  start(id: string, action: string): void;
  line(id: string, line: string): void;
  note(id: string, message: string): void;
  finish(result: VariantResult): void;
  close(): void;
}

export interface BuildOptions {
  jobs: number;
  /** Which builder of the daemon builds (default: classic). */
  builder?: BuilderKind;
  push: boolean;
  force: boolean;
  noCache: boolean;
  pull: boolean;
  /** Overrides each variant's target when set. */
  target?: string;
  /** `--secret` flags: build secrets for every variant, over each variant's own. */
  secrets?: Record<string, VariantSecret>;
  /** `--ssh` flags: SSH agents' sockets by id, forwarded to every variant's BuildKit build. */
  ssh?: Record<string, string>;
  /** `--cache-from`: images every variant's build may take cached layers from (after its own cache.from). */
  cacheFrom?: string[];
  /** `--cache-inline`: write inline cache metadata into every image built. */
  cacheInline?: boolean;
  /**
   * `--push-platform`: the selected multi-platform variants are narrowed to this one
   * platform (the command does that), which is pushed by digest only: no index, no tag
   * moves. Its lock fragment is merged by the index step.
   */
  pushPlatform?: string;
  /** `--push-index`: build nothing; assemble each variant's index from these fragments' platform images and move the tags. */
  pushIndex?: IndexFragments;
  /** Push attempts in all, and the first backoff delay. */
  pushAttempts?: number;
  backoffMs?: number;
}

/** Effects the build core needs, passed in (tests give real Docker and fake renderers). */
export interface BuildDeps {
  /** dockerode's client; the command passes one that loads dockerode only when an image is built, pushed or smoke-tested. */
  docker: Docker;
  /** The local images (inspect, tag, list); default: over `docker`. The command's uses the thin HTTP client. */
  images?: ImageClient;
  /** Which builder builds, asked on the first build only (default: options.builder, else classic). */
  builderKind?: () => Promise<BuilderKind>;
  renderDockerfile(variant: Variant): Promise<string>;
  /** Credentials for the registry of an image reference (undefined: anonymous). */
  resolveAuth(image: string): Promise<RegistryCredential | undefined>;
  /**
   * After a registry refused an image: the credential helpers that failed (and were only a
   * warning) and could have held its credentials, as one sentence; undefined when none.
   */
  credentialProblems?(image: string): Promise<string | undefined>;
  reporter: BuildReporter;
  now(): Date;
  /** Whether the daemon talks plain HTTP to this registry domain (asked only when a registry is contacted). */
  insecureRegistry(domain: string): boolean | Promise<boolean>;
  /** Every credential resolved is registered here, so no output shows it. */
  secrets?: SecretSet;
  /** Where build secrets given as `{ env: VAR }` are read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** org.opencontainers.image.source / revision, asked only when an image is built. */
  vcs?: () => Promise<{ source?: string; revision?: string }>;
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
  /**
   * Before anything builds: the platforms of multi-platform variants this run will build
   * (after the up-to-date check); throws when the daemon's machine cannot run one
   * (platform-emulators.ts emulatorCheck). Absent: no early check.
   */
  checkEmulators?: (wanted: readonly { variant: string; platform: string }[]) => Promise<void>;
  /** Runs on a locally built (or locally up-to-date) image before it is pushed; a returned reason fails the image. */
  beforePush?: (p: PreparedVariant, result: VariantResult, platform?: PlatformImageRef) => Promise<string | undefined>;
}

/** One platform's local image of a multi-platform variant (for the pre-push check). */
export interface PlatformImageRef {
  platform: string;
  imageId: string;
}

/** A variant made ready to build: rendered, its bases and context known, its hash computed. */
export interface PreparedVariant {
  variant: Variant;
  dockerfile: string;
  /** The rendered Dockerfile read once (src/dockerfile/parse.ts); build writes its labels through it. */
  model: Dockerfile;
  target: string | undefined;
  /** External FROM images (project images excluded). */
  externalBases: string[];
  /** Final stage's base image (OCI base.name), normalised. */
  finalBase?: string;
  /** Ids of project variants it builds FROM. */
  dependsOn: string[];
  /** The FROM images that are project variants, as written (the daemon may pull them from the registry). */
  projectBases: string[];
  entries: ContextEntry[];
  contentHash: string;
  /** A multi-platform variant (Variant.platforms): each platform's image, its hash and local tag suffix. */
  platforms?: PlatformTarget[];
}
