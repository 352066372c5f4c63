import { configError, type SourceLocation } from "../common/errors.js";
import { IMAGE_ID_PATTERN, digestProblem, isValidTag, parseRaw } from "./grammar.js";
import { describeProblem, hintFor, invalid } from "./problems.js";
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
  const { domain, remainder, written } = splitDockerDomain(ref);
  const colon = remainder.indexOf(":");
  const remote = colon === -1 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) {
    const shown = written.split(/[:@]/, 1)[0];
    throw invalid(ref, `repository name must be lowercase ("${shown}")`, options, hintFor("uppercase"));
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

/**
 * The parts of `name[:tag][@digest]` as written, neither checked nor normalised: for code
 * that must pass on or look at what it was given without throwing (a pull request's
 * query, a lint rule over any FROM line). The tag is what follows the last ":" after the
 * last "/" (a registry port is part of the name).
 */
export function splitReference(ref: string): { name: string; tag?: string; digest?: string } {
  const at = ref.indexOf("@");
  const named = at >= 0 ? ref.slice(0, at) : ref;
  const digest = at >= 0 ? { digest: ref.slice(at + 1) } : {};
  const colon = named.lastIndexOf(":");
  if (colon < 0 || named.slice(colon + 1).includes("/")) return { name: named, ...digest };
  return { name: named.slice(0, colon), tag: named.slice(colon + 1), ...digest };
}
