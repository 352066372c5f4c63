/**
 * The variables of each job of a local pipeline run, in GitLab's order of precedence
 * (lowest first): the predefined ones of the pipeline (CI_PIPELINE_ID, CI_COMMIT_*, the
 * registry's CI_REGISTRY* from runner-kit's environment), the file's `variables:`, the
 * `reports:dotenv` variables of the jobs it receives artifacts from, then the CI/CD
 * variables (`--variable`, and RUNNER_KIT_REGISTRY_USER/PASSWORD from the environment).
 * Pure.
 */
import { usageError } from "../../common/errors.js";
import type { SecretSet } from "../../common/secrets.js";

export type Vars = Record<string, string>;

/** Predefined by GitLab from its registry; passed on from runner-kit's environment when set there. */
const REGISTRY_PREDEFINED = ["CI_REGISTRY", "CI_REGISTRY_IMAGE", "CI_REGISTRY_USER", "CI_REGISTRY_PASSWORD"];
/** CI/CD variables the generated pipeline reads (set masked in GitLab), passed on when set. */
const REGISTRY_CICD = ["RUNNER_KIT_REGISTRY_USER", "RUNNER_KIT_REGISTRY_PASSWORD"];
/** A variable whose value is never shown (its name says it is a credential). */
const SECRET_NAME = /(?:^|_)(?:PASSWORD|PASSWD|TOKEN|SECRET|PRIVATE_KEY|API_KEY|AUTH_CONFIG)(?:_|$)/i;

export interface GitState {
  sha?: string;
  branch?: string;
}

export function pipelinePredefined(o: { pipelineId: number; git: GitState; env: NodeJS.ProcessEnv }): Vars {
  const vars: Vars = { CI_PIPELINE_ID: String(o.pipelineId), CI_PIPELINE_IID: "1" };
  if (o.git.sha) Object.assign(vars, { CI_COMMIT_SHA: o.git.sha, CI_COMMIT_SHORT_SHA: o.git.sha.slice(0, 8) });
  if (o.git.branch) {
    const slug = o.git.branch.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 63);
    Object.assign(vars, { CI_COMMIT_REF_NAME: o.git.branch, CI_COMMIT_REF_SLUG: slug, CI_COMMIT_BRANCH: o.git.branch });
  }
  for (const name of REGISTRY_PREDEFINED) if (o.env[name]) vars[name] = o.env[name]!;
  return vars;
}

/** `--variable KEY=VALUE` (repeatable), over RUNNER_KIT_REGISTRY_* from the environment. */
export function cicdVariables(given: readonly string[], env: NodeJS.ProcessEnv): Vars {
  const vars: Vars = {};
  for (const name of REGISTRY_CICD) if (env[name]) vars[name] = env[name]!;
  for (const kv of given) {
    const eq = kv.indexOf("=");
    const name = eq > 0 ? kv.slice(0, eq) : "";
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw usageError(`--variable ${eq > 0 ? kv.slice(0, eq) : kv} is not KEY=VALUE`, { hint: "write --variable NAME=VALUE (letters, digits and _ in the name)" });
    }
    vars[name] = kv.slice(eq + 1);
  }
  return vars;
}

/** Remember the values of credential-like variables, so no output shows them. */
export function registerSecrets(vars: Vars, secrets: SecretSet): void {
  for (const [name, value] of Object.entries(vars)) if (SECRET_NAME.test(name)) secrets.add(value);
  secrets.addCredential(vars.CI_REGISTRY_USER, vars.CI_REGISTRY_PASSWORD);
  secrets.addCredential(vars.RUNNER_KIT_REGISTRY_USER, vars.RUNNER_KIT_REGISTRY_PASSWORD);
}

/** The job's variables: predefined < file < dotenv < CI/CD. */
export function jobVariables(layers: { predefined: Vars; file: Vars; dotenv: Vars; cicd: Vars }): Vars {
  return { ...layers.predefined, ...layers.file, ...layers.dotenv, ...layers.cicd };
}
