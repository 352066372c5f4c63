/**
 * The variables of each job of a local pipeline run, in GitLab's order of precedence
 * (lowest first): the predefined ones of the pipeline (CI_PIPELINE_ID, the
 * registry's CI_REGISTRY* from runner-kit's environment), the file's `variables:`, the
 * `reports:dotenv` variables of the jobs it receives artifacts from, then the CI/CD
 * variables (`--variable`, and RUNNER_KIT_REGISTRY_USER/PASSWORD from the environment).
 * Pure.
 */
import { looksSecretName, type SecretSet } from "../../common/secrets.js";
import { variableFlag } from "../../smoke/job/cicd-variables.js";

export type Vars = Record<string, string>;

/** Predefined by GitLab from its registry; passed on from runner-kit's environment when set there. */
const REGISTRY_PREDEFINED = ["CI_REGISTRY", "CI_REGISTRY_IMAGE", "CI_REGISTRY_USER", "CI_REGISTRY_PASSWORD"];
/** CI/CD variables the generated pipeline reads (set masked in GitLab), passed on when set. */
const REGISTRY_CICD = ["RUNNER_KIT_REGISTRY_USER", "RUNNER_KIT_REGISTRY_PASSWORD"];

/**
 * What one pipeline's jobs share: its id, and the registry's CI_REGISTRY* when runner-kit's
 * environment has them. The commit variables each job gets from smoke, read from the
 * project's .git as for any smoke job.
 */
export function pipelinePredefined(o: { pipelineId: number; env: NodeJS.ProcessEnv }): Vars {
  const vars: Vars = { CI_PIPELINE_ID: String(o.pipelineId), CI_PIPELINE_IID: "1" };
  for (const name of REGISTRY_PREDEFINED) if (o.env[name]) vars[name] = o.env[name]!;
  return vars;
}

/**
 * `--variable KEY[=VALUE]` (repeatable, smoke's rule: KEY alone takes its value from the
 * environment), over RUNNER_KIT_REGISTRY_* from the environment.
 */
export function cicdVariables(given: readonly string[], env: NodeJS.ProcessEnv): Vars {
  const vars: Vars = {};
  for (const name of REGISTRY_CICD) if (env[name]) vars[name] = env[name]!;
  for (const arg of given) {
    const [name, value] = variableFlag(arg, env);
    vars[name] = value;
  }
  return vars;
}

/** Remember the values of credential-like variables, so no output shows them. */
export function registerSecrets(vars: Vars, secrets: SecretSet): void {
  for (const [name, value] of Object.entries(vars)) if (looksSecretName(name)) secrets.add(value);
  secrets.addCredential(vars.CI_REGISTRY_USER, vars.CI_REGISTRY_PASSWORD);
  secrets.addCredential(vars.RUNNER_KIT_REGISTRY_USER, vars.RUNNER_KIT_REGISTRY_PASSWORD);
}

/** The job's variables: predefined < file < dotenv < CI/CD. */
export function jobVariables(layers: { predefined: Vars; file: Vars; dotenv: Vars; cicd: Vars }): Vars {
  return { ...layers.predefined, ...layers.file, ...layers.dotenv, ...layers.cicd };
}
