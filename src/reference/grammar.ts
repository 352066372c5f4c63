/**
 * The image reference grammar of distribution/reference (regexp.go), without any Docker Hub
 * normalisation:
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain "/" ] path-component [ "/" path-component ]*
 *   domain    := host [ ":" port ]          host := domain-name | IPv4 | "[" IPv6 "]"
 *   path-component := [a-z0-9]+ ( separator [a-z0-9]+ )*   separator := "." | "_" | "__" | "-"+
 *   tag       := [\w][\w.-]{0,127}
 *   digest    := algorithm ":" hex          (hex at least 32 characters)
 */

const alphanumeric = "[a-z0-9]+";
const separator = "(?:[._]|__|[-]+)";
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const domainNameComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const ipv6Address = "\\[(?:[a-fA-F0-9:]+)\\]";
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6Address})`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const tag = "[\\w][\\w.-]{0,127}";
const digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

/** The whole reference: groups 1 name, 2 tag, 3 digest. */
const referencePattern = new RegExp(`^((?:${domainAndPort}/)?${remoteName})(?::(${tag}))?(?:@(${digest}))?$`);
/** A name split into domain (group 1, optional) and path (group 2). */
const namePattern = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const tagPattern = new RegExp(`^${tag}$`);
/** An image ID: 64 lowercase hex characters, not a valid repository name. */
export const IMAGE_ID_PATTERN = /^[a-f0-9]{64}$/;

/** Maximum length of a repository path (distribution/reference ≥ v0.6.0 counts the path only). */
export const NAME_TOTAL_LENGTH_MAX = 255;

/** Digest algorithms and the exact hex length each one takes (go-digest's registered ones). */
export const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

export type GrammarProblem =
  | "empty"
  | "uppercase"
  | "format"
  | "name-too-long"
  | "digest-unsupported"
  | "digest-length"
  | "digest-format";

export type RawReference =
  | { ok: true; domain?: string; path: string; tag?: string; digest?: string }
  | { ok: false; problem: GrammarProblem; detail?: string };

/** reference.Parse: split and validate a reference exactly as written (no defaults added). */
export function parseRaw(input: string): RawReference {
  const match = referencePattern.exec(input);
  if (!match) {
    if (input === "") return { ok: false, problem: "empty" };
    if (referencePattern.test(input.toLowerCase())) return { ok: false, problem: "uppercase" };
    return { ok: false, problem: "format" };
  }
  const [, name = "", tagValue, digestValue] = match;
  const nameMatch = namePattern.exec(name);
  const domain = nameMatch?.[1];
  const path = nameMatch?.[2] ?? name;
  if (path.length > NAME_TOTAL_LENGTH_MAX) return { ok: false, problem: "name-too-long", detail: String(path.length) };
  if (digestValue !== undefined) {
    const problem = digestProblem(digestValue);
    if (problem) return { ok: false, problem, detail: digestValue };
  }
  return {
    ok: true,
    path,
    ...(domain !== undefined ? { domain } : {}),
    ...(tagValue !== undefined ? { tag: tagValue } : {}),
    ...(digestValue !== undefined ? { digest: digestValue } : {}),
  };
}

/** go-digest's Validate for a grammar-valid digest: known algorithm, exact length, lowercase hex. */
export function digestProblem(value: string): GrammarProblem | undefined {
  const colon = value.indexOf(":");
  if (colon <= 0 || colon === value.length - 1) return "digest-format";
  const algorithm = value.slice(0, colon);
  const hex = value.slice(colon + 1);
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) return new RegExp(`^${digest}$`).test(value) ? "digest-unsupported" : "digest-format";
  if (hex.length !== length) return "digest-length";
  if (!/^[a-f0-9]+$/.test(hex)) return "digest-format";
  return undefined;
}

export function isValidTag(value: string): boolean {
  return tagPattern.test(value);
}
