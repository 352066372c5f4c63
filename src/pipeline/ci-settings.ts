import { configError } from "../common/errors.js";
import type { CiSection } from "../project/schema.js";

/**
 * What the `ci:` section of runner-kit.yaml resolves to for the generated pipeline: the
 * image the jobs run in, how they reach runner-kit, their services, tags and variables.
 * Pure: the version of runner-kit that generates the pipeline is passed in.
 */
export type InstallMode = "image" | "npx" | "package";

export interface CiSettings {
  install: InstallMode;
  image: string;
  services: NonNullable<CiSection["services"]>;
  tags: string[];
  variables: Record<string, string>;
  /** Lines that make runner-kit runnable in a job (before anything else). */
  setup: string[];
  /** The command line prefix that runs runner-kit in a job. */
  runnerKit: string;
  /** The docker:*dind* service images in use, default or from ci.services (they need a privileged runner). */
  dind: string[];
  /** `ci.platform_jobs`: each platform of a multi-platform image in its own job, then one index job. */
  platformJobs: boolean;
}

/** A Node 20 image for `install: npx` and `install: package`. */
export const DEFAULT_NODE_IMAGE = "node:20-bookworm";
export const DEFAULT_DIND_IMAGE = "docker:27-dind";
/** `install:` when the project says nothing: see the README (The pipeline). */
export const DEFAULT_INSTALL: InstallMode = "image";
/** The runner-kit image's name under the project's registry (`install: image` without `ci.image`). */
export const RUNNER_KIT_IMAGE = "runner-kit";

/** The variables the default dind service (with TLS) needs in every job. */
const DIND_VARIABLES: Record<string, string> = {
  DOCKER_HOST: "tcp://docker:2376",
  DOCKER_TLS_CERTDIR: "/certs",
  DOCKER_TLS_VERIFY: "1",
  DOCKER_CERT_PATH: "/certs/client",
};

/**
 * Resolve `ci:` with its defaults. `install: image` without `image:` means the runner-kit
 * image of this very version in the project's own registry
 * (`<registry>/runner-kit:<version>`), the one runner-kit's own pipeline builds.
 */
export function ciSettings(ci: CiSection | undefined, context: { registry: string; version: string }): CiSettings {
  const install = ci?.install ?? DEFAULT_INSTALL;
  if (!/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/.test(context.version)) {
    throw configError(`runner-kit's own version "${context.version}" is not a release version`, { where: "package.json", hint: "reinstall runner-kit" });
  }
  const image = ci?.image ?? (install === "image" ? `${context.registry}/${RUNNER_KIT_IMAGE}:${context.version}` : DEFAULT_NODE_IMAGE);
  const services = ci?.services ?? [{ name: DEFAULT_DIND_IMAGE, alias: "docker" }];
  const dind = services.map((service) => (typeof service === "string" ? service : service.name)).filter(isDindImage);
  const variables = { ...DIND_VARIABLES, RUNNER_KIT_RUN_ID: "ci-$CI_JOB_ID", ...(ci?.variables ?? {}) };
  const byMode: Record<InstallMode, { setup: string[]; runnerKit: string }> = {
    image: { setup: [], runnerKit: "runner-kit" },
    npx: { setup: [], runnerKit: `npx --yes runner-kit@${context.version}` },
    // The project's package.json pins runner-kit; --no-install: never fetch another version.
    package: { setup: ["npm ci --no-audit --no-fund"], runnerKit: "npx --no-install runner-kit" },
  };
  return { install, image, services, tags: ci?.tags ?? [], variables, dind, platformJobs: ci?.platform_jobs === true, ...byMode[install] };
}

/** A Docker-in-Docker image: docker:*dind* from Docker Hub or a mirror of it (docker:27-dind, mirror.example.com/library/docker:dind-rootless…). */
export function isDindImage(image: string): boolean {
  return /(?:^|\/)docker:[^@/]*dind/.test(image);
}

/** The host part of the project's `registry:` (host[:port]), as Docker's auths key it. */
export function registryHost(registry: string): string {
  const host = registry.split("/")[0]!;
  if (!/^[A-Za-z0-9.-]+(?::\d+)?$/.test(host)) {
    throw configError(`the registry host "${host}" cannot be logged in to from a generated job`, {
      where: "runner-kit.yaml: registry",
      hint: "use a host name or IP address, optionally with :port",
    });
  }
  return host;
}

/**
 * The job line that logs in to the project's registry without `docker login`: a
 * DOCKER_AUTH_CONFIG built from RUNNER_KIT_REGISTRY_USER/RUNNER_KIT_REGISTRY_PASSWORD,
 * defaulting to GitLab's own $CI_REGISTRY_USER/$CI_REGISTRY_PASSWORD (right when
 * `registry:` is the project's $CI_REGISTRY). runner-kit resolves it as GitLab Runner would.
 */
export function registryLoginLine(host: string): string {
  const user = "${RUNNER_KIT_REGISTRY_USER:-${CI_REGISTRY_USER:-}}";
  const password = "${RUNNER_KIT_REGISTRY_PASSWORD:-${CI_REGISTRY_PASSWORD:-}}";
  const missing = `set the CI/CD variables RUNNER_KIT_REGISTRY_USER and RUNNER_KIT_REGISTRY_PASSWORD (masked) to push to ${host}`;
  // Checked outside the command substitution: a failure inside it would not stop the job.
  const check = `: "\${RUNNER_KIT_REGISTRY_PASSWORD:-\${CI_REGISTRY_PASSWORD:?${missing}}}"`;
  return `${check}; export DOCKER_AUTH_CONFIG="{\\"auths\\":{\\"${host}\\":{\\"auth\\":\\"$(printf '%s:%s' "${user}" "${password}" | base64 | tr -d '\\n')\\"}}}"`;
}

/** The generated file's header notes: what the jobs need from the runners and CI/CD settings. */
export function pipelineNotes(settings: CiSettings, host: string): string[] {
  const notes = [
    "",
    `runner-kit: ${settings.install === "image" ? `on PATH in ${settings.image}` : settings.install === "npx" ? `${settings.runnerKit} in ${settings.image}` : `pinned by the project's package.json (npm ci, then ${settings.runnerKit}) in ${settings.image}`} (ci.install: ${settings.install}).`,
    `Pushes to ${host} as RUNNER_KIT_REGISTRY_USER / RUNNER_KIT_REGISTRY_PASSWORD (CI/CD variables, masked), else GitLab's CI_REGISTRY_USER / CI_REGISTRY_PASSWORD.`,
  ];
  if (settings.dind.length > 0) {
    notes.push(
      `The ${settings.dind.join(", ")} service${settings.dind.length > 1 ? "s need" : " needs"} a runner with privileged = true in its config.toml;`,
      settings.tags.length > 0 ? `the jobs are routed to such runners by the tags ${settings.tags.join(", ")} (ci.tags).` : "route the jobs to such runners with ci.tags in runner-kit.yaml.",
    );
  }
  return notes;
}
