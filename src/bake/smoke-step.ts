import type Docker from "dockerode";
import type { SecretSet } from "../common/secrets.js";
import type { ResolveAuth } from "../auth/lazy-resolver.js";
import type { SmokeResult } from "../smoke/run.js";
import type { PlatformImageRef, PreparedVariant, VariantResult } from "./types.js";

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
  return {
    reports,
    async check(p, result, platform) {
      const { variant } = p;
      if (!variant.smoke) {
        result.smoke = { result: "none" };
        return undefined;
      }
      const { smokeImage } = await import("../smoke/for-image.js");
      const image = platform?.imageId ?? result.imageId ?? `${variant.repository}:${variant.tags[0] ?? "latest"}`;
      deps.out(`${variant.id}${platform ? ` (${platform.platform})` : ""}: smoke job from ${variant.smoke.file}${variant.smoke.job ? `#${variant.smoke.job}` : ""}`);
      const report = await smokeImage(
        { image, ...(platform ? { platform: platform.platform } : {}), smoke: variant.smoke, projectDir: deps.projectDir, runId: deps.runId, env: deps.env },
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
