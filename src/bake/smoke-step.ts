import type Docker from "dockerode";
import type { SecretSet } from "../common/secrets.js";
import type { ResolveAuth } from "../auth/lazy-resolver.js";
import type { SmokeResult } from "../smoke/run.js";
import type { PreparedVariant, VariantResult } from "./types.js";
import type { RunnerSection } from "../project/runner-schema.js";

export interface SmokeStepDeps {
  docker: Docker;
  secrets: SecretSet;
  env: NodeJS.ProcessEnv;
  runId: string;
  projectDir: string;
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
  check(p: PreparedVariant, result: VariantResult): Promise<string | undefined>;
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
  return {
    reports,
    async check(p, result) {
      const { variant } = p;
      if (!variant.smoke) {
        result.smoke = { result: "none" };
        return undefined;
      }
      const [{ smokeImage }, { projectRunnerDefaults }] = await Promise.all([import("../smoke/for-image.js"), import("../smoke/project-runner.js")]);
      const runnerDefaults = deps.runner ? projectRunnerDefaults(deps.runner.section, variant, deps.runner.projectLabel) : undefined;
      const image = result.imageId ?? `${variant.repository}:${variant.tags[0] ?? "latest"}`;
      deps.out(`${variant.id}: smoke job from ${variant.smoke.file}${variant.smoke.job ? `#${variant.smoke.job}` : ""}`);
      const report = await smokeImage(
        { image, smoke: variant.smoke, projectDir: deps.projectDir, runId: deps.runId, env: deps.env, ...(runnerDefaults ? { runnerDefaults } : {}) },
        {
          docker: deps.docker,
          out: deps.out,
          secrets: deps.secrets,
          warn: deps.warn,
          ...(deps.signal ? { signal: deps.signal } : {}),
          ...(deps.resolveAuth ? { resolveAuth: deps.resolveAuth } : {}),
        },
      );
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
