import type { RegistryCredential } from "../auth/types.js";
import type { Dockerfile } from "../dockerfile/parse.js";
import type { ContextEntry } from "./context-files.js";

/** Which builder of the daemon builds an image: BuildKit, or the classic (legacy) builder. */
export type BuilderKind = "buildkit" | "classic";

/** A build secret: its value comes from a file or an environment variable, never from the project file. */
export type SecretSource = { file: string } | { env: string };

/** A build context: its directory and the entries that go to the builder (after `.dockerignore`). */
export interface BuildContext {
  dir: string;
  entries: ContextEntry[];
}

/** One image for one platform: everything a builder needs, nothing about how it is sent. */
export interface BuildRequest {
  /**
   * The build context, not yet sent: how it travels (a tar of these entries, a file-sync
   * session) is the builder's business.
   */
  context: BuildContext;
  /**
   * The rendered Dockerfile's text. The builder places it (the classic builder adds it to
   * the context tar as INJECTED_DOCKERFILE, with the labels as a LABEL instruction).
   */
  dockerfile: string;
  /** The same Dockerfile parsed, when the caller has it: a builder that edits the Dockerfile reuses it instead of parsing again. */
  model?: Dockerfile;
  /** Full references to tag the result with. */
  tags: string[];
  buildArgs: Record<string, string>;
  target?: string;
  /** Image labels (OCI and runner-kit's own); each builder applies them its own way. */
  labels?: Record<string, string>;
  /** `os/arch[/variant]`; the daemon's own platform when absent. */
  platform?: string;
  noCache?: boolean;
  pull?: boolean;
  /** The images the Dockerfile pulls in (FROM), so a builder can send their credentials up front. */
  baseImages: string[];
  /** Credentials for an image reference or a registry host, resolved by GitLab Runner's rules (undefined: anonymous). */
  resolveAuth(imageOrHost: string): Promise<RegistryCredential | undefined>;
  /** Build secrets by id (BuildKit's `RUN --mount=type=secret,id=…`). */
  secrets?: Record<string, SecretSource>;
  /** SSH agents' sockets by id (BuildKit's `RUN --mount=type=ssh,id=…`; "default" without an id). */
  ssh?: Record<string, string>;
  /** Registry cache: images whose layers the build may reuse, and whether to write inline cache metadata. */
  cacheFrom?: string[];
  inlineCache?: boolean;
  signal?: AbortSignal;
}

/** What a build said: the image, or the failing step with its last output lines. */
export interface BuildOutcome {
  /** "sha256:…" of the built image. */
  imageId?: string;
  /** The daemon's error message, when the build failed. */
  error?: string;
  /** The step running when the error arrived, e.g. "Step 3/5 : RUN make" or "[2/5] RUN make". */
  failedStep?: string;
  /** The last output lines before the error (or the end). */
  tail: string[];
}

/**
 * A builder of the Docker daemon. Builds one image for one platform, reporting its
 * progress as lines; errors of the build (a failing step, a refused pull, a dropped
 * connection) end up in the outcome, only an abort rejects.
 */
export interface ImageBuilder {
  readonly kind: BuilderKind;
  build(request: BuildRequest, onLine: (line: string) => void): Promise<BuildOutcome>;
}
