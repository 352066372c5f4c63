import { configError, type SourceLocation } from "../errors.js";
import { DIGEST_HEX_LENGTH, IMAGE_ID_PATTERN, NAME_TOTAL_LENGTH_MAX, digestProblem, isValidTag, parseRaw, type GrammarProblem } from "./grammar.js";
import { DEFAULT_DOMAIN, familiarizeName, splitDockerDomain } from "./normalize.js";

export interface ImageReference {
  /** "docker.io", "registry.example.com:5000" */
  domain: string;
  /** "library/debian", "platform/runner-aws" */
  path: string;
  tag?: string;
  digest?: string;
  /** domain/path */
  name: string;
  /** Docker's short form: "debian", "gitlab/gitlab-runner", "registry.example.com:5000/x" */
  familiarName: string;
  /** The familiar form with tag and digest: "debian:bookworm" (what `docker images` shows). */
  familiarString: string;
  /** The full normalised form: "docker.io/library/debian:bookworm". */
  toString(): string;
}

export interface ParseReferenceOptions {
  /** Where the reference was read (project file position, flag name), for the error. */
  where?: SourceLocation | string;
}

/**
 * Parse an image reference with Docker's normalisation (distribution/reference
 * ParseNormalizedNamed): `debian` → `docker.io/library/debian`, `index.docker.io/x` →
 * `docker.io/library/x`, `registry:5000/group/x:tag@sha256:…` kept as written. No default
 * tag is added (see `dockerRef`). Invalid input throws a configuration RunnerKitError.
 */
export function parseImageReference(ref: string, options: ParseReferenceOptions = {}): ImageReference {
  if (ref === "") throw invalid(ref, describeProblem(ref, "empty"), options, hintFor("empty"));
  if (IMAGE_ID_PATTERN.test(ref)) {
    throw invalid(ref, "it is a 64-character image ID, not a repository name", options, "refer to the image by name, or by digest as name@sha256:<hex>");
  }
  const { domain, remainder } = splitDockerDomain(ref);
  const colon = remainder.indexOf(":");
  const remote = colon === -1 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) {
    throw invalid(ref, `repository name must be lowercase ("${remote}")`, options, hintFor("uppercase"));
  }
  const raw = parseRaw(`${domain}/${remainder}`);
  if (!raw.ok) throw invalid(ref, describeProblem(ref, raw.problem, raw.detail), options, hintFor(raw.problem));
  return makeReference(raw.domain ?? domain, raw.path, raw.tag, raw.digest);
}

/** True when `ref` parses; never throws. */
export function isValidImageReference(ref: string): boolean {
  try {
    parseImageReference(ref);
    return true;
  } catch {
    return false;
  }
}

function makeReference(domain: string, path: string, tag: string | undefined, digest: string | undefined): ImageReference {
  const name = `${domain}/${path}`;
  const familiarName = familiarizeName(domain, path);
  const suffix = (tag !== undefined ? `:${tag}` : "") + (digest !== undefined ? `@${digest}` : "");
  const full = name + suffix;
  return Object.freeze({
    domain,
    path,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
    name,
    familiarName,
    familiarString: familiarName + suffix,
    toString: () => full,
  });
}

function asReference(ref: ImageReference | string): ImageReference {
  return typeof ref === "string" ? parseImageReference(ref) : ref;
}

/** The same repository with `tag` (an existing digest is kept, as distribution's WithTag does). */
export function withTag(ref: ImageReference | string, tag: string): ImageReference {
  const base = asReference(ref);
  if (!isValidTag(tag)) {
    throw configError(
      `invalid image tag "${tag}" for ${base.familiarName}: a tag is 1 to 128 characters of letters, digits, "_", "." and "-", and must not start with "." or "-"`,
    );
  }
  return makeReference(base.domain, base.path, tag, base.digest);
}

/** The same repository pinned to `digest` (an existing tag is kept, as distribution's WithDigest does). */
export function withDigest(ref: ImageReference | string, digest: string): ImageReference {
  const base = asReference(ref);
  const problem = digestProblem(digest);
  if (problem) {
    throw configError(`invalid digest "${digest}" for ${base.familiarName}: ${describeProblem(digest, problem, digest)}`);
  }
  return makeReference(base.domain, base.path, base.tag, digest);
}

/** The repository alone, without tag or digest. */
export function withoutTagOrDigest(ref: ImageReference | string): ImageReference {
  const base = asReference(ref);
  return makeReference(base.domain, base.path, undefined, undefined);
}

/**
 * What the Docker CLI pulls (ParseDockerRef): `:latest` when there is neither tag nor
 * digest, and only the digest when both are given.
 */
export function dockerRef(ref: ImageReference | string): ImageReference {
  const base = asReference(ref);
  if (base.digest !== undefined) return makeReference(base.domain, base.path, undefined, base.digest);
  return makeReference(base.domain, base.path, base.tag ?? "latest", undefined);
}

/** The registry that serves the image: "docker.io" for Docker Hub, else the domain as written. */
export function registryHost(ref: ImageReference | string): string {
  return asReference(ref).domain;
}

/** True when the image is on Docker Hub. */
export function isDockerHub(ref: ImageReference | string): boolean {
  return asReference(ref).domain === DEFAULT_DOMAIN;
}

function invalid(ref: string, what: string, options: ParseReferenceOptions, hint?: string) {
  return configError(`invalid image reference ${JSON.stringify(ref)}: ${what}`, {
    ...(options.where !== undefined ? { where: options.where } : {}),
    ...(hint !== undefined ? { hint } : {}),
    details: { reference: ref },
  });
}

function describeProblem(ref: string, problem: GrammarProblem, detail?: string): string {
  switch (problem) {
    case "empty":
      return "the name is empty (a repository name must have at least one component)";
    case "uppercase":
      return "repository name must be lowercase";
    case "name-too-long":
      return `the repository path is ${detail} characters long; at most ${NAME_TOTAL_LENGTH_MAX} are allowed`;
    case "digest-unsupported":
      return `the digest algorithm of "${detail}" is not supported (use ${Object.keys(DIGEST_HEX_LENGTH).join(", ")})`;
    case "digest-length": {
      const algorithm = detail?.split(":")[0] ?? "";
      return `the digest "${detail}" has ${(detail?.length ?? 0) - algorithm.length - 1} hex characters; ${algorithm} takes exactly ${DIGEST_HEX_LENGTH[algorithm]}`;
    }
    case "digest-format":
      return `the digest "${detail}" is not <algorithm>:<lowercase hex>`;
    case "format":
      return diagnoseFormat(ref);
  }
}

/** A more precise reason for a reference the grammar rejects as a whole. */
function diagnoseFormat(ref: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) return "it contains a URL scheme; image references have none (drop the scheme and \"://\")";
  if (/\s/.test(ref)) return "it contains whitespace";
  if (ref.startsWith(":") || ref.startsWith("@") || ref.startsWith("/")) return "the repository name is missing";
  if (ref.endsWith(":")) return "the tag after \":\" is empty";
  if (ref.endsWith("@")) return "the digest after \"@\" is empty";
  if (ref.endsWith("/") || ref.includes("//")) return "it has an empty path component";
  const at = ref.indexOf("@");
  const beforeDigest = at === -1 ? ref : ref.slice(0, at);
  const colon = beforeDigest.indexOf(":", beforeDigest.lastIndexOf("/") + 1);
  const tagText = colon === -1 ? undefined : beforeDigest.slice(colon + 1);
  if (tagText !== undefined && !isValidTag(tagText)) {
    return tagText.length > 128
      ? `the tag is ${tagText.length} characters long; at most 128 are allowed`
      : `the tag "${tagText}" is invalid (letters, digits, "_", "." and "-", not starting with "." or "-")`;
  }
  if (at !== -1 && !/^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/.test(ref.slice(at + 1))) {
    return `the digest "${ref.slice(at + 1)}" is not <algorithm>:<hex> with at least 32 hex characters`;
  }
  return "invalid reference format: path components are lowercase letters and digits separated by \".\", \"_\", \"__\" or dashes, optionally after a registry host[:port]";
}

function hintFor(problem: GrammarProblem): string | undefined {
  switch (problem) {
    case "empty":
      return "give a name such as debian:bookworm or registry.example.com:5000/group/image:tag";
    case "uppercase":
      return "write the repository name in lowercase (tags may keep uppercase letters)";
    default:
      return "a reference is [registry[:port]/]path[:tag][@algorithm:hex], e.g. registry.example.com:5000/platform/runner:v1";
  }
}
