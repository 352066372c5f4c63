import { relative } from "node:path";
import type Docker from "dockerode";
import type { SecretSet } from "../common/secrets.js";
import { isRunnerKitError } from "../common/errors.js";
import type { ResolveAuth } from "../auth/lazy-resolver.js";
import type { SmokeResult } from "../smoke/run.js";
import type { PlatformImageRef, PreparedVariant, VariantResult } from "./types.js";
import type { RunnerSection } from "../project/runner-schema.js";

export interface SmokeStepDeps {
  docker: Docker;
  secrets: SecretSet;
  env: NodeJS.ProcessEnv;
  runId: string;
  projectDir: string;
  /** --variable and --env-file (relative to cwd): the smoke jobs' CI/CD variables. */
  cicd?: { variables: string[]; envFile?: string; cwd: string };
  /** The job logs, line by line. */
  out: (text: string) => void;
  warn: (message: string) => void;
  signal?: AbortSignal;
  /** The build's credential resolver: the smoke jobs' pulls use it too, so each helper runs once. */
  resolveAuth?: ResolveAuth;
  /** The project's top-level runner section and how to name the project file: each job runs under its variant's runner settings. */
  runner?: { section?: RunnerSection; projectLabel: string };
}

export interface SmokeGate {
  /** Run the variant's smoke job on the image just built; a failure reason stops its push. */
  check(p: PreparedVariant, result: VariantResult, platform?: PlatformImageRef): Promise<string | undefined>;
  /** Every smoke job run so far, for the JUnit report. */
  readonly reports: SmokeResult[];
}

/**
 * `build --smoke`: each image's smoke job (runner-kit.yaml `smoke:`) runs right after the
 * image is built and before it is pushed, so an image whose job fails is never pushed.
 * Images without a smoke job are marked "none" in the summary.
 */
export function smokeGate(deps: SmokeStepDeps): SmokeGate {
  const reports: SmokeResult[] = [];
  // Read once, at once (masked values become secrets before any job prints); awaited by each check.
  const given = deps.cicd;
  const cicd = given ? import("../smoke/setup.js").then(({ loadCicdVariables }) => loadCicdVariables({ ...given, env: deps.env, secrets: deps.secrets })) : Promise.resolve(undefined);
  cicd.catch(() => undefined);
  return {
    reports,
    async check(p, result, platform) {
      const { variant } = p;
      if (!variant.smoke) {
        result.smoke = { result: "none" };
        return undefined;
      }
      const [{ smokeImage }, { projectRunnerDefaults }] = await Promise.all([import("../smoke/for-image.js"), import("../smoke/project-runner.js")]);
      const runnerDefaults = deps.runner ? projectRunnerDefaults(deps.runner.section, variant, deps.runner.projectLabel) : undefined;
      const cicdVariables = await cicd;
      const image = platform?.imageId ?? result.imageId ?? `${variant.repository}:${variant.tags[0] ?? "latest"}`;
      deps.out(`${variant.id}${platform ? ` (${platform.platform})` : ""}: smoke job from ${variant.smoke.file}${variant.smoke.job ? `#${variant.smoke.job}` : ""}`);
      const started = Date.now();
      let report: SmokeResult;
      try {
        report = await smokeImage(
          {
            image,
            ...(platform ? { platform: platform.platform } : {}),
            smoke: variant.smoke,
            projectDir: deps.projectDir,
            runId: deps.runId,
            env: deps.env,
            ...(cicdVariables ? { cicdVariables } : {}),
            ...(runnerDefaults ? { runnerDefaults } : {}),
          },
          {
            docker: deps.docker,
            out: deps.out,
            secrets: deps.secrets,
            warn: deps.warn,
            ...(deps.signal ? { signal: deps.signal } : {}),
            ...(deps.resolveAuth ? { resolveAuth: deps.resolveAuth } : {}),
          },
        );
      } catch (error) {
        // A job that could not run (an image or service it cannot pull) fails this image only;
        // Ctrl-C and configuration errors still stop the whole build.
        if (deps.signal?.aborted || !isRunnerKitError(error) || error.kind !== "failure") throw error;
        report = unrunJob(p, image, deps, Date.now() - started, error.message);
      }
      reports.push(report);
      result.smoke = {
        result: report.result,
        job: report.job,
        durationMs: report.durationMs,
        ...(report.exitCode !== undefined ? { exitCode: report.exitCode } : {}),
        ...(report.reason !== undefined ? { reason: report.reason } : {}),
      };
      return report.result === "failed" ? `smoke job ${report.job} failed: ${report.reason ?? `exit code ${report.exitCode}`}` : undefined;
    },
  };
}

/** The report of a smoke job that failed before it could run: in the summary and the JUnit file like any failed job. */
function unrunJob(p: PreparedVariant, image: string, deps: Pick<SmokeStepDeps, "runId" | "projectDir">, durationMs: number, reason: string): SmokeResult {
  const smoke = p.variant.smoke!;
  // The job's name is only known once its file is read; before that, the file names it.
  const job = smoke.job ?? (relative(deps.projectDir, smoke.file) || smoke.file);
  return { runId: deps.runId, job, file: smoke.file, image, imageDigest: "", services: [], durationMs, result: "failed", reason, warnings: [], log: `${reason}\n` };
}
