import { stringify } from "smol-toml";
import type { DockerConfigFile } from "../auth/types.js";
import { configError, usageError } from "../common/errors.js";
import type { LockFile } from "../lock/lockfile.js";
import type { Variant } from "../project/plan.js";
import type { SecretSet } from "../common/secrets.js";
import { resolveCredential, type StaticCredential } from "./credentials.js";
import { dockerAuthConfigValue } from "./docker-auth.js";
import { buildDockerConfig, dockerConfigMode, dockerConfigText } from "./docker-config.js";
import { runnerName, runnerTable, type TomlTable } from "./entry.js";
import { chooseJobImage } from "./image.js";
import { runnerWarnings } from "./config-warnings.js";
import { mergeSections } from "./merge.js";
import { didYouMean } from "../common/nearest.js";
import { registerScript, type Registration } from "./register.js";
import { TOP_LEVEL_ONLY, type RunnerSection } from "../project/runner-schema.js";

export interface RunnerConfigInput {
  /** How to name the project file in messages, e.g. "runner-kit.yaml". */
  projectLabel: string;
  /** Relative *_file paths resolve from here. */
  rootDir: string;
  /** The top-level `runner:` section, validated. */
  runner?: RunnerSection;
  /** `teams.<t>.runner:` sections by team, validated (undefined: the team has none). */
  teams?: Record<string, RunnerSection | undefined>;
  variants: Variant[];
  lock?: LockFile;
  /** Only this team's runner. */
  team?: string;
  env: NodeJS.ProcessEnv;
  readFile: (path: string) => string;
  /** Every password, token and auth string is registered here as soon as it is read. */
  secrets: SecretSet;
}

/** A file to write, relative to the output directory. */
export interface OutputFile {
  path: string;
  content: string;
  mode: number;
  /** Holds credentials or a token. */
  sensitive: boolean;
}

export interface RunnerSummary {
  name: string;
  team?: string;
  url: string;
  image: string;
  pinned: boolean;
  services: string[];
  privileged: boolean;
  /** Registry hosts in DOCKER_AUTH_CONFIG, with where each password came from. */
  registries: { host: string; from: string }[];
  /** The variable the token came from, or null when config.toml has no token. */
  tokenEnv: string;
  token: boolean;
  template: string;
}

export interface RunnerConfigOutput {
  configToml: TomlTable;
  templates: { path: string; config: TomlTable; credentials: boolean }[];
  registerScript: string;
  dockerConfig: DockerConfigFile;
  files: OutputFile[];
  runners: RunnerSummary[];
  warnings: string[];
}

interface RunnerPlan {
  key: string;
  team?: string;
  where: string;
  section: RunnerSection;
  credentials: StaticCredential[];
}

const tokenEnvFor = (team: string | undefined, single: boolean) =>
  single || team === undefined ? "RUNNER_TOKEN" : `RUNNER_TOKEN_${team.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;

/** Refuses a config that has no runner section, or top-level-only keys in a team's. */
function checkSections(input: RunnerConfigInput, teamWhere: (t: string) => string): void {
  const teamSections = input.teams ?? {};
  if (input.runner === undefined && Object.values(teamSections).every((s) => s === undefined)) {
    throw configError("the project has no runner section, so there is no runner configuration to write", {
      where: input.projectLabel,
      hint: "add a `runner:` section with at least `url:` (see the README section on runner-kit config)",
    });
  }
  for (const [team, section] of Object.entries(teamSections)) {
    for (const key of TOP_LEVEL_ONLY) {
      if (section?.[key] !== undefined) {
        throw configError(`"${key}" applies to the whole config.toml, so it can only be set in the top-level runner section`, {
          where: `${teamWhere(team)}.${key}`,
          hint: "move it to runner: at the top level",
        });
      }
    }
  }
}

/** Which runners: one per (selected) team, or one for the project when it has no teams; merged sections, resolved credentials. */
function planRunners(input: RunnerConfigInput, warn: (message: string) => void): { plans: RunnerPlan[]; single: boolean } {
  const teamSections = input.teams ?? {};
  const baseWhere = `${input.projectLabel}: runner`;
  const teamWhere = (t: string) => `${input.projectLabel}: teams.${t}.runner`;
  checkSections(input, teamWhere);
  const allTeams = [...new Set([...input.variants.flatMap((v) => (v.team ? [v.team] : [])), ...Object.keys(teamSections)])].sort();
  if (input.team !== undefined && !allTeams.includes(input.team)) {
    throw usageError(`unknown team "${input.team}"${didYouMean(input.team, allTeams)}`, {
      where: input.projectLabel,
      hint: allTeams.length ? `teams in this project: ${allTeams.join(", ")}` : "this project defines no teams",
    });
  }
  const selectedTeams = input.team !== undefined ? [input.team] : allTeams;
  const plans: RunnerPlan[] = [];
  const credentialSources = { env: input.env, readFile: input.readFile, rootDir: input.rootDir, secrets: input.secrets, warn };
  const candidates: { key: string; team?: string; where: string }[] =
    allTeams.length === 0 ? [{ key: "default", where: baseWhere }] : selectedTeams.map((t) => ({ key: t, team: t, where: teamWhere(t) }));
  for (const candidate of candidates) {
    const merged = mergeSections(input.runner, baseWhere, candidate.team ? teamSections[candidate.team] : undefined, candidate.where);
    if (merged.section.enabled === false) continue;
    const credentials = merged.registries.flatMap(({ registry, where }) => resolveCredential(registry, where, credentialSources) ?? []);
    plans.push({ ...candidate, section: merged.section, credentials });
  }
  if (plans.length === 0) {
    throw configError("every runner is disabled (enabled: false), so there is nothing to write", { where: input.projectLabel });
  }
  return { plans, single: allTeams.length <= 1 };
}

interface AssembledRunner {
  table: TomlTable;
  template: { path: string; config: TomlTable; credentials: boolean };
  registration: Registration;
  summary: RunnerSummary;
}

/** One runner's config.toml table, registration template, register.sh entry and summary. */
function assembleRunner(plan: RunnerPlan, input: RunnerConfigInput, context: { single: boolean; multiple: boolean }, warn: (message: string) => void): AssembledRunner {
  const { section } = plan;
  if (section.url === undefined) {
    throw configError("the runner has no GitLab URL", {
      where: plan.where,
      hint: "set url: (e.g. https://gitlab.example.com) in the top-level runner section or the team's",
    });
  }
  const name = runnerName(section, plan.team);
  const image = chooseJobImage(section.image, plan.team, input.variants, input.lock, plan.where, warn);
  for (const warning of runnerWarnings({ name, section, image: image.reference, credentials: plan.credentials })) warn(warning);
  const tokenEnv = section.token_env ?? tokenEnvFor(plan.team, context.single);
  const token = input.env[tokenEnv] || undefined;
  input.secrets.add(token);
  const authJson = section.docker_auth_config !== false && plan.credentials.length > 0 ? dockerAuthConfigValue(plan.credentials) : undefined;
  if (authJson !== undefined) input.secrets.add(authJson);
  if (token === undefined) {
    warn(`${name}: ${tokenEnv} is not set, so config.toml has no token for this runner; register it with register/register.sh (which reads ${tokenEnv}), or set ${tokenEnv} and run runner-kit config again`);
  }
  const entry = { section, name, url: section.url, image: image.reference, dockerAuthConfig: authJson };
  const templatePath = context.multiple ? `register/template-${plan.key}.toml` : "register/template.toml";
  return {
    table: runnerTable({ ...entry, token }),
    template: { path: templatePath, config: { runners: [runnerTable(entry)] }, credentials: authJson !== undefined },
    registration: { name, url: section.url, image: image.reference, tokenEnv, template: templatePath.slice("register/".length) },
    summary: {
      name,
      ...(plan.team ? { team: plan.team } : {}),
      url: section.url,
      image: image.reference,
      pinned: image.pinned,
      services: (section.services ?? []).map((s) => s.name),
      privileged: (section.privileged ?? section.docker_in_docker ?? false) === true,
      registries: authJson ? plan.credentials.map((c) => ({ host: c.host, from: c.from })) : [],
      tokenEnv,
      token: token !== undefined,
      template: templatePath,
    },
  };
}

/**
 * Everything `runner-kit config` writes, computed and validated before anything is written:
 * config.toml, one registration template per runner, register.sh and docker/config.json.
 * Pure over its input: the environment, file reads and the secret registry are passed in.
 */
export function buildRunnerConfig(input: RunnerConfigInput): RunnerConfigOutput {
  const warnings: string[] = [];
  const warn = (message: string) => warnings.push(message);
  const { plans, single } = planRunners(input, warn);
  const assembled: AssembledRunner[] = [];
  const names = new Set<string>();
  for (const plan of plans) {
    const runner = assembleRunner(plan, input, { single, multiple: plans.length > 1 }, warn);
    if (names.has(runner.summary.name)) throw configError(`two runners are both named "${runner.summary.name}"`, { where: plan.where, hint: "give each team's runner its own name" });
    names.add(runner.summary.name);
    assembled.push(runner);
  }
  const templates = assembled.map((r) => r.template);
  const runners = assembled.map((r) => r.summary);

  const top = input.runner ?? {};
  const configToml: TomlTable = {
    concurrent: top.concurrent ?? plans.length,
    check_interval: top.check_interval ?? 3,
    ...top.global,
    runners: assembled.map((r) => r.table),
  };

  const docker = hostDockerConfig(plans, input.projectLabel);
  warnings.push(...docker.warnings);

  const script = registerScript(assembled.map((r) => r.registration));
  const files: OutputFile[] = [
    // Always 0600: besides credentials it names the fleet's URLs and settings.
    { path: "config.toml", content: stringify(configToml), mode: 0o600, sensitive: templates.some((t) => t.credentials) || runners.some((r) => r.token) },
    ...templates.map((t) => ({ path: t.path, content: stringify(t.config), mode: t.credentials ? 0o600 : 0o644, sensitive: t.credentials })),
    { path: "register/register.sh", content: script, mode: 0o755, sensitive: false },
    { path: "docker/config.json", content: dockerConfigText(docker.config), mode: dockerConfigMode(docker.config), sensitive: docker.hasCredentials },
  ];
  return { configToml, templates, registerScript: script, dockerConfig: docker.config, files, runners, warnings };
}

/** One config.json for the runner host: every selected runner's credential helpers and static logins. */
function hostDockerConfig(plans: RunnerPlan[], projectLabel: string) {
  const ecrHosts = [...new Set(plans.flatMap((p) => p.section.config_json?.ecr ?? []))];
  const credHelpers: Record<string, string> = {};
  const stores = new Set<string>();
  const auths: StaticCredential[] = [];
  for (const plan of plans) {
    const cj = plan.section.config_json ?? {};
    Object.assign(credHelpers, cj.cred_helpers);
    if (cj.creds_store !== undefined) stores.add(cj.creds_store);
    if (cj.auths !== false) auths.push(...plan.credentials);
  }
  if (stores.size > 1) {
    throw configError(`the runners ask for different credsStore helpers (${[...stores].join(", ")}), but one config.json has one credsStore`, {
      where: projectLabel,
      hint: "use config_json.cred_helpers per registry host instead",
    });
  }
  return buildDockerConfig({ ecrHosts, credHelpers, credsStore: [...stores][0], auths }, `${projectLabel}: runner.config_json`);
}
