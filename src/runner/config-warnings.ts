import { parseImageReference } from "../reference/parse.js";
import type { RunnerSection } from "../project/runner-schema.js";
import type { StaticCredential } from "./credentials.js";

/** Hosts reserved for documentation (RFC 2606): a value still naming one was never filled in. */
export function isExampleHost(host: string): boolean {
  const name = host.toLowerCase().replace(/:\d+$/, "");
  return /(^|\.)example\.(com|net|org)$/.test(name) || /\.example$/.test(name);
}

const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

/** The registry host a credential entry covers ("host[:port]" of "host[:port][/path]"). */
const credentialHost = (host: string): string => host.toLowerCase().split("/")[0]!;

/**
 * What a platform engineer should hear before deploying a runner's config: values that are
 * still the scaffold's examples, and a job image in a registry the runner has no credentials
 * for (a private registry then refuses every job's pull). Pure; one sentence per finding.
 */
export function runnerWarnings(runner: { name: string; section: RunnerSection; image: string; credentials: StaticCredential[] }): string[] {
  const warnings: string[] = [];
  const { name, section, image } = runner;
  if (section.url !== undefined && isExampleHost(hostOf(section.url))) {
    warnings.push(`${name}: url is still the example value ${section.url}; set url: to your GitLab instance`);
  }
  for (const registry of section.registries ?? []) {
    if (isExampleHost(registry.host)) warnings.push(`${name}: registries lists the example host ${registry.host}; name your own registry`);
  }
  const domain = parseImageReference(image).domain.toLowerCase();
  if (domain === "docker.io") return warnings;
  if (isExampleHost(domain)) {
    warnings.push(`${name}: the job image ${image} is in the example registry ${domain}; set registry: in runner-kit.yaml to your own`);
    return warnings;
  }
  const covered =
    runner.credentials.some((c) => credentialHost(c.host) === domain) || (section.config_json?.ecr ?? []).some((host) => host.toLowerCase() === domain);
  if (!covered) {
    warnings.push(
      `${name}: the job image ${image} is in ${domain}, but the runner has no credentials for it; add ${domain} to runner.registries (or config_json.ecr), unless it allows anonymous pulls`,
    );
  }
  return warnings;
}
