import { DOCKER_HUB_SERVER_ADDRESS } from "../auth/keys.js";

/**
 * Shapes of the names that go into Docker config files: registry hosts (`host[:port]`,
 * optionally a repository path as GitLab Runner matches DOCKER_AUTH_CONFIG keys by path),
 * Amazon ECR hosts, and credential-helper names.
 */

const LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const HOSTNAME = `${LABEL}(?:\\.${LABEL})*`;
const IPV6 = "\\[[0-9A-Fa-f:.]+\\]";
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const REGISTRY = new RegExp(`^(${HOSTNAME}|${IPV6})(?::(\\d{1,5}))?((?:/${PATH_COMPONENT})*)$`);

/** Why `host` is not a registry host[:port][/path], or undefined when it is. */
export function registryHostProblem(host: string): string | undefined {
  if (/^[a-z]+:\/\//i.test(host)) {
    return `registry "${host}" must be written as host[:port] without a scheme (e.g. "${host.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "")}")`;
  }
  const match = REGISTRY.exec(host);
  if (!match) return `registry "${host}" is not a host[:port] such as "registry.example.com:5000" or "127.0.0.1:5000"`;
  const port = match[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    return `registry "${host}" has port ${port}, which is not between 1 and 65535`;
  }
  return undefined;
}

/** `<12-digit account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`, or `public.ecr.aws`. */
const ECR_HOST = /^\d{12}\.dkr\.ecr(?:-fips)?\.[a-z]{2}(?:-[a-z]+)+-\d\.amazonaws\.com(?:\.cn)?$/;

export function ecrHostProblem(host: string): string | undefined {
  if (host === "public.ecr.aws" || ECR_HOST.test(host)) return undefined;
  return (
    `"${host}" is not an Amazon ECR registry host; it must look like ` +
    `<12-digit account id>.dkr.ecr.<region>.amazonaws.com, e.g. "123456789012.dkr.ecr.eu-west-1.amazonaws.com" (or "public.ecr.aws")`
  );
}

/** A credential helper is `docker-credential-<name>` on PATH: a bare name, never a path. */
const HELPER = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function helperNameProblem(name: string): string | undefined {
  if (/[/\\]/.test(name)) {
    return `credential helper "${name}" contains a path separator; give the name only (docker-credential-<name> is looked up on PATH), e.g. "ecr-login"`;
  }
  if (name.startsWith("docker-credential-")) {
    return `credential helper "${name}" must be given without the "docker-credential-" prefix, i.e. "${name.slice("docker-credential-".length)}"`;
  }
  if (!HELPER.test(name)) return `credential helper "${name}" is not a valid helper name (letters, digits, ".", "_" and "-")`;
  return undefined;
}

const HUB_HOSTS = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);


/**
 * The key a registry's credentials go under in `auths`: Docker Hub as the Docker CLI and
 * GitLab Runner expect it, every other host as written, host part lower-cased.
 */
export function authKey(host: string): string {
  const slash = host.indexOf("/");
  const hostPart = (slash < 0 ? host : host.slice(0, slash)).toLowerCase();
  if (HUB_HOSTS.has(hostPart) && slash < 0) return DOCKER_HUB_SERVER_ADDRESS;
  return slash < 0 ? hostPart : `${hostPart}${host.slice(slash)}`;
}
