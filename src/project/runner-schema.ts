import { z } from "zod";
import { ecrHostProblem, helperNameProblem, registryHostProblem } from "./runner-hosts.js";
import { checkPassThrough, type PassThroughTable } from "./runner-keys.js";
import { didYouMean } from "../common/nearest.js";

/**
 * The `runner:` section of runner-kit.yaml, at the top level (defaults for every runner)
 * and per team (`teams.<t>.runner:`, merged over the top level). The project schema embeds
 * this; `runner-kit config` turns it into config.toml, the registration template and
 * docker/config.json.
 *
 * Credentials are never written in the project file: a registry names the environment
 * variable or file its password comes from; runner tokens come from `token_env`.
 */

/**
 * strictObject whose unknown-key message names the nearest valid key. Keys people write by
 * habit (`hints`: a literal `password`, a service's `variables`) are refused with what to use
 * instead, as a custom issue at that key so the project loader reports it with line:column.
 */
function strict<T extends z.core.$ZodLooseShape>(shape: T, hints: Record<string, string> = {}) {
  const known = Object.keys(shape);
  const refused = Object.fromEntries(
    Object.entries(hints).map(([key, hint]) => [key, z.custom<never>(() => false, { error: `"${key}" is not accepted here: ${hint}` }).optional()]),
  );
  return z.strictObject(
    { ...shape, ...refused },
    {
      error: (issue) => {
        if (issue.code !== "unrecognized_keys") return undefined;
        return issue.keys.map((key) => `unknown key "${key}"${didYouMean(key, known)}`).join("; ");
      },
    },
  ) as unknown as z.ZodObject<T, z.core.$strict>; // the refused keys never parse to a value
}

const NO_SECRETS_HERE = "secrets are never written in the project file; name where it comes from with password_env or password_file";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envName = z.string().regex(ENV_NAME, { error: "must be an environment variable name (letters, digits and _)" });

/** Variables as a mapping (`KEY: value`); written as gitlab-runner's ["KEY=value"] list. */
const environmentSchema = z
  .record(envName, z.union([z.string(), z.number(), z.boolean()]))
  .superRefine((env, ctx) => {
    if ("DOCKER_AUTH_CONFIG" in env) {
      ctx.addIssue({
        code: "custom",
        path: ["DOCKER_AUTH_CONFIG"],
        message: "DOCKER_AUTH_CONFIG must not be written in the project file; list the registry under runner.registries with password_env or password_file and runner-kit builds it",
      });
    }
  });

const pullPolicy = z.enum(["always", "if-not-present", "never"]);

const serviceSchema = strict({
  name: z.string().min(1),
  alias: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  entrypoint: z.array(z.string()).optional(),
  command: z.array(z.string()).optional(),
  environment: environmentSchema.optional(),
}, { variables: 'gitlab-runner reads a service\'s variables from "environment"', aliases: 'use "alias" (a string or a list)' });

const registrySchema = strict({
  host: z.string().superRefine((host, ctx) => {
    const problem = registryHostProblem(host);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
  username: z.string().min(1).optional(),
  username_env: envName.optional(),
  username_file: z.string().min(1).optional(),
  password_env: envName.optional(),
  password_file: z.string().min(1).optional(),
  /** When the variable or file is missing: skip this registry with a warning instead of failing. */
  optional: z.boolean().optional(),
}, { password: NO_SECRETS_HERE, auth: NO_SECRETS_HERE, token: NO_SECRETS_HERE, registry: 'the key is "host"' }).superRefine((registry, ctx) => {
  const users = ["username", "username_env", "username_file"].filter((k) => registry[k as keyof typeof registry] !== undefined);
  const passwords = ["password_env", "password_file"].filter((k) => registry[k as keyof typeof registry] !== undefined);
  if (users.length !== 1) {
    ctx.addIssue({ code: "custom", message: `registry "${registry.host}" needs exactly one of username, username_env, username_file (has ${users.length ? users.join(", ") : "none"})` });
  }
  if (passwords.length !== 1) {
    ctx.addIssue({
      code: "custom",
      message: `registry "${registry.host}" needs exactly one of password_env, password_file (has ${passwords.length ? passwords.join(", ") : "none"}); passwords are never written in the project file`,
    });
  }
});

const helperName = z.string().superRefine((name, ctx) => {
  const problem = helperNameProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const configJsonSchema = strict({
  /** ECR registry hosts: each gets credHelpers["<host>"] = "ecr-login". */
  ecr: z
    .array(
      z.string().superRefine((host, ctx) => {
        const problem = ecrHostProblem(host);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }),
    )
    .optional(),
  /** Other registries served by a credential helper: host → helper name. */
  cred_helpers: z
    .record(
      z.string().superRefine((host, ctx) => {
        const problem = registryHostProblem(host);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }),
      helperName,
    )
    .optional(),
  /** One helper for every registry (warned about: Docker Hub pulls then fail). */
  creds_store: helperName.optional(),
  /** Put the static registry credentials in `auths` too (default true). */
  auths: z.boolean().optional(),
});

function passThrough(table: PassThroughTable) {
  return z.record(z.string(), z.unknown()).superRefine((map, ctx) => {
    for (const [key, value] of Object.entries(map)) {
      const problem = checkPassThrough(table, key, value);
      if (problem) ctx.addIssue({ code: "custom", path: [key], message: problem });
    }
  });
}

export const runnerSectionSchema = strict({
  /** false: no runner for this team (or, at the top level, for the project). */
  enabled: z.boolean().optional(),
  /** GitLab instance URL. */
  url: z.string().regex(/^https?:\/\/[^\s]+$/, { error: "must be the GitLab URL, e.g. https://gitlab.example.com" }).optional(),
  /** Runner name and registration description (default runner-kit, or runner-kit-<team>). */
  name: z.string().min(1).optional(),
  /** Image key from `images:` (the team's variant, pinned from runner-kit.lock), or a full image reference. */
  image: z.string().min(1).optional(),
  /** Global; top level only. */
  concurrent: z.int().min(1).optional(),
  /** Global; top level only. */
  check_interval: z.int().min(0).optional(),
  /** Environment variable holding the runner authentication token (default RUNNER_TOKEN, or RUNNER_TOKEN_<TEAM>). */
  token_env: envName.optional(),
  environment: environmentSchema.optional(),
  services: z.array(serviceSchema).optional(),
  pull_policy: z.union([pullPolicy, z.array(pullPolicy).min(1)]).optional(),
  allowed_pull_policies: z.array(pullPolicy).min(1).optional(),
  allowed_images: z.array(z.string().min(1)).optional(),
  volumes: z.array(z.string().min(1)).optional(),
  privileged: z.boolean().optional(),
  /** Jobs run docker:dind services: privileged, with /certs/client shared for TLS. */
  docker_in_docker: z.boolean().optional(),
  /** Registries whose credentials go into DOCKER_AUTH_CONFIG (and config.json auths). */
  registries: z.array(registrySchema).optional(),
  /** Write DOCKER_AUTH_CONFIG into the runner environment (default true when registries are listed). */
  docker_auth_config: z.boolean().optional(),
  /** docker/config.json for the runner host and runner image. */
  config_json: configJsonSchema.optional(),
  /** Any other [runners.docker] key, exactly as gitlab-runner reads it. */
  docker: passThrough("runners.docker").optional(),
  /** Any other [[runners]] key, exactly as gitlab-runner reads it (e.g. limit, tls-ca-file, feature_flags). */
  options: passThrough("runners").optional(),
  /** Any other top-level config.toml key (e.g. log_level, listen_address); top level only. */
  global: passThrough("global").optional(),
}, {
  token: "runner tokens come only from the environment: set token_env to the variable's name (default RUNNER_TOKEN)",
  executor: 'runner-kit writes docker-executor runners (executor = "docker")',
  runners: "runner-kit writes one [[runners]] entry per team; put per-team settings under teams.<team>.runner",
});
export type RunnerSection = z.infer<typeof runnerSectionSchema>;
export type RunnerService = z.infer<typeof serviceSchema>;
export type RunnerRegistry = z.infer<typeof registrySchema>;
export type RunnerConfigJson = z.infer<typeof configJsonSchema>;

/** Keys of a team section that only make sense at the top level. */
export const TOP_LEVEL_ONLY = ["concurrent", "check_interval", "global"] as const;
