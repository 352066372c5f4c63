import { isAbsolute, relative, resolve } from "node:path";
import { writeFileAtomic } from "../common/atomic-write.js";
import { print, say, warn, type CliContext } from "../common/context.js";
import { configError, failure, usageError } from "../common/errors.js";
import { listNames } from "../common/nearest.js";
import { loadPlan } from "../project/load.js";
import { readExisting } from "../common/read-existing.js";
import { loadLintConfig } from "./config-file.js";
import { lintDockerfile, RULES } from "./lint.js";
import { applyPolicy, failing } from "./policy.js";
import { TRUSTED_REGISTRY_RULE, trustedRegistryRule } from "./trusted-registries.js";
import { allFindings, LINT_FORMATS, type LintedFile, type LintFormat, type LintReport } from "./formats/report.js";
import { summaryLine } from "./formats/tty.js";
import { formatReport } from "./formats/write.js";

/** The rules lint runs: the Dockerfile rules and DL3026, which acts only with trustedRegistries. */
const ALL_RULES = [...RULES, TRUSTED_REGISTRY_RULE];

export interface LintCommandOptions {
  config?: string;
  images?: string[];
  team?: string;
  /** Alias of --format json. */
  json?: boolean;
  format?: string;
  /** `--hadolint-config FILE`; default `.hadolint.yaml` beside the project file. */
  hadolintConfig?: string;
  /** Write the report here (atomically) instead of stdout. */
  output?: string;
}

/**
 * `runner-kit lint`: lint the rendered Dockerfile of every selected variant under the
 * `.hadolint.yaml` policy, write the report in the chosen format, exit 1 when a finding is
 * at or above the failure threshold.
 */
export async function runLint(ctx: CliContext, options: LintCommandOptions): Promise<void> {
  const format = chooseFormat(options);
  const plan = await loadPlan({ cwd: ctx.cwd, configFile: options.config, team: options.team, images: options.images });
  const { policy, warnings } = await loadLintConfig({ cwd: ctx.cwd, projectDir: plan.rootDir, explicit: options.hadolintConfig, knownRules: ALL_RULES.map((r) => r.id) });
  for (const message of warnings) warn(ctx, message);
  const files: LintedFile[] = [];
  for (const variant of plan.variants) {
    const file = shownPath(ctx, format, variant.dockerfile);
    const text = await readExisting(variant.dockerfile);
    if (text === undefined) {
      throw configError(`${variant.id} has no rendered Dockerfile yet`, { where: file, hint: "run `runner-kit render` first" });
    }
    const rules = [...RULES, trustedRegistryRule(text, variant.args, policy.trustedRegistries)];
    files.push({ id: variant.id, file, text, findings: applyPolicy(lintDockerfile(text, rules), policy) });
  }
  const report: LintReport = { files, policy, rules: ALL_RULES };
  const text = formatReport(format, report);
  if (options.output !== undefined) await writeFileAtomic(resolve(ctx.cwd, options.output), ctx.secrets.redact(text));
  else if (text !== "") print(ctx, text);
  if (format !== "json" || options.output !== undefined) say(ctx, summaryLine(report));
  judge(report);
}

/**
 * Paths are shown relative to the working directory; GitLab places Code Quality and SARIF
 * findings by the path from the repository root, which a GitLab job has in CI_PROJECT_DIR.
 */
function shownPath(ctx: CliContext, format: LintFormat, file: string): string {
  const projectDir = ctx.env.CI_PROJECT_DIR;
  if ((format === "gitlab" || format === "sarif") && projectDir) {
    const fromRoot = relative(resolve(ctx.cwd, projectDir), file);
    if (fromRoot !== "" && !fromRoot.startsWith("..") && !isAbsolute(fromRoot)) return fromRoot;
  }
  return relative(ctx.cwd, file) || file;
}

function chooseFormat(options: LintCommandOptions): LintFormat {
  const format = options.format ?? (options.json ? "json" : "tty");
  if (!(LINT_FORMATS as readonly string[]).includes(format)) {
    throw usageError(`unknown lint format "${format}"`, { where: "--format", hint: `use one of ${listNames(LINT_FORMATS)}` });
  }
  if (options.json && format !== "json") throw usageError(`--json and --format ${format} ask for two formats`, { hint: "pass one of them" });
  return format as LintFormat;
}

/** Exit 1 when a finding is at or above the failure threshold. */
function judge(report: LintReport): void {
  const failed = failing(allFindings(report), report.policy);
  if (failed.length === 0) return;
  const threshold = report.policy.threshold;
  const what = threshold === "error" ? "error(s)" : `finding(s) at or above failure-threshold ${threshold}`;
  const files = new Set(failed.map((f) => f.file)).size;
  throw failure(`lint found ${failed.length} ${what} in ${files} Dockerfile(s)`, {
    hint: "fix the templates (or values) and run `runner-kit render` again, or ignore the rule in .hadolint.yaml; rule ids are explained in docs/render-and-lint.md",
  });
}
