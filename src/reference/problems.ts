import { configError, type SourceLocation } from "../common/errors.js";
import { DIGEST_HEX_LENGTH, NAME_TOTAL_LENGTH_MAX, isValidTag, type GrammarProblem } from "./grammar.js";

/** Why a reference is invalid, said in one paragraph the user can act on. */

export function invalid(ref: string, what: string, options: { where?: SourceLocation | string }, hint?: string) {
  const shown = ref.length > 120 ? `${ref.slice(0, 60)}…${ref.slice(-40)}` : ref;
  return configError(`invalid image reference ${JSON.stringify(shown)}: ${what}`, {
    ...(options.where !== undefined ? { where: options.where } : {}),
    ...(hint !== undefined ? { hint } : {}),
    details: { reference: ref },
  });
}

export function describeProblem(ref: string, problem: GrammarProblem, detail?: string): string {
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
  if (ref.startsWith("[")) {
    return /^\[[0-9a-fA-F:]+\](?::[0-9]+)?\//.test(ref)
      ? "invalid reference format: the repository path after the IPv6 registry address is not valid"
      : "an IPv6 registry address is written [address] or [address]:port (no zone), followed by /<repository>";
  }
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

export function hintFor(problem: GrammarProblem): string | undefined {
  switch (problem) {
    case "empty":
      return "give a name such as debian:bookworm or registry.example.com:5000/group/image:tag";
    case "uppercase":
      return "write the repository name in lowercase (tags may keep uppercase letters)";
    default:
      return "a reference is [registry[:port]/]path[:tag][@algorithm:hex], e.g. registry.example.com:5000/platform/runner:v1";
  }
}
