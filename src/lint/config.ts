import { z } from "zod";
import { configError, formatWhere, isRunnerKitError } from "../common/errors.js";
import { didYouMean, listNames, nearest } from "../common/nearest.js";
import { schemaError, schemaProblems } from "../common/schema-errors.js";
import { parseYamlSource, type KeyPath, type YamlSource } from "../common/yaml-source.js";

/**
 * `.hadolint.yaml`, hadolint's own configuration format, read by `runner-kit lint`: which
 * rules to ignore, which severity a rule has, from which severity on lint fails, and which
 * registries FROM may name. Pure: text in, a LintPolicy and warnings out.
 */

/** Severities after `override` (hadolint's four; runner-kit's rules start as error, warning or info). */
export const LINT_SEVERITIES = ["error", "warning", "info", "style"] as const;
export type LintSeverity = (typeof LINT_SEVERITIES)[number];

/** `failure-threshold`: fail on findings of this severity or above; `ignore` fails on any, `none` never. */
export const FAILURE_THRESHOLDS = [...LINT_SEVERITIES, "ignore", "none"] as const;
export type FailureThreshold = (typeof FAILURE_THRESHOLDS)[number];

export interface LintPolicy {
  /** The config file read (absolute), when there was one. */
  file?: string;
  ignored: ReadonlySet<string>;
  /** Rule id → severity it is reported with. */
  override: ReadonlyMap<string, LintSeverity>;
  threshold: FailureThreshold;
  /** Registries FROM may name (DL3026); empty: any. */
  trustedRegistries: readonly string[];
  /** hadolint's `no-fail: true`: report, never fail. */
  noFail: boolean;
}

export const DEFAULT_POLICY: LintPolicy = { ignored: new Set(), override: new Map(), threshold: "error", trustedRegistries: [], noFail: false };

const ruleList = z.array(z.string().min(1));

/** hadolint's configuration keys; those runner-kit does not act on are accepted with a warning. */
export const hadolintConfigSchema = z.strictObject({
  ignored: ruleList.optional(),
  "failure-threshold": z.enum(FAILURE_THRESHOLDS).optional(),
  override: z.strictObject({ error: ruleList.optional(), warning: ruleList.optional(), info: ruleList.optional(), style: ruleList.optional() }).optional(),
  trustedRegistries: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
  "no-fail": z.boolean().optional(),
  format: z.string().optional(),
  "no-color": z.boolean().optional(),
  "strict-labels": z.boolean().optional(),
  "disable-ignore-pragma": z.boolean().optional(),
  "label-schema": z.record(z.string(), z.string()).optional(),
});
type HadolintConfig = z.infer<typeof hadolintConfigSchema>;

/** Keys hadolint knows that change nothing in runner-kit (its output is chosen by --format). */
const UNUSED_KEYS = ["format", "no-color", "strict-labels", "disable-ignore-pragma", "label-schema"] as const;

export interface ParsedLintConfig {
  policy: LintPolicy;
  /** One line each, with file:line:column; for `warn`. */
  warnings: string[];
}

/**
 * Parse `.hadolint.yaml` text. Syntax errors, unknown keys and bad values are config errors
 * at file:line:column with the nearest valid key; rule ids runner-kit does not have are
 * warnings naming the nearest rule it has.
 */
export function parseLintConfig(file: string, text: string, knownRules: readonly string[]): ParsedLintConfig {
  let source: YamlSource;
  try {
    source = parseYamlSource(file, text);
  } catch (error) {
    throw reframe(error);
  }
  checkThreshold(source);
  const parsed = hadolintConfigSchema.safeParse(source.data ?? {});
  if (!parsed.success) throw reframe(schemaError(source, schemaProblems(source, hadolintConfigSchema, parsed.error.issues)));
  const config = parsed.data;
  const warnings = [...unknownRuleWarnings(source, config, knownRules), ...unusedKeyWarnings(source, config)];
  const { override, warnings: overlaps } = overrides(source, config);
  const trusted = config.trustedRegistries;
  const policy: LintPolicy = {
    file,
    ignored: new Set(config.ignored ?? []),
    override,
    threshold: config["failure-threshold"] ?? DEFAULT_POLICY.threshold,
    trustedRegistries: trusted === undefined ? [] : typeof trusted === "string" ? [trusted] : trusted,
    noFail: config["no-fail"] ?? false,
  };
  return { policy, warnings: [...warnings, ...overlaps] };
}

/** A misspelt threshold names the one it probably meant (the schema's message only lists them). */
function checkThreshold(source: YamlSource): void {
  const value = (source.data as Record<string, unknown> | null)?.["failure-threshold"];
  if (typeof value !== "string" || (FAILURE_THRESHOLDS as readonly string[]).includes(value)) return;
  const meant = value === "" ? undefined : (FAILURE_THRESHOLDS.find((t) => t.startsWith(value.toLowerCase())) ?? nearest(value, FAILURE_THRESHOLDS));
  throw reframe(
    configError(`failure-threshold "${value}" is not a threshold${meant ? ` (did you mean "${meant}"?)` : ""}; use one of ${listNames(FAILURE_THRESHOLDS)}`, {
      where: source.locate(["failure-threshold"]),
    }),
  );
}

/** The shared schema errors name runner-kit.yaml in their hint; these are about .hadolint.yaml. */
function reframe(error: unknown): unknown {
  if (!isRunnerKitError(error)) return error;
  return configError(error.message, {
    where: error.where,
    hint: "fix the lint configuration (hadolint's format: ignored, failure-threshold, override, trustedRegistries; see docs/render-and-lint.md) and run again",
    ...(error.details ? { details: error.details } : {}),
  });
}

/** Every rule id in `ignored` and `override.*`, with its path in the file. */
function ruleEntries(config: HadolintConfig): { id: string; path: KeyPath }[] {
  const entries = (config.ignored ?? []).map((id, i) => ({ id, path: ["ignored", i] as KeyPath }));
  for (const severity of LINT_SEVERITIES) {
    (config.override?.[severity] ?? []).forEach((id, i) => entries.push({ id, path: ["override", severity, i] }));
  }
  return entries;
}

function unknownRuleWarnings(source: YamlSource, config: HadolintConfig, knownRules: readonly string[]): string[] {
  const known = new Set(knownRules);
  return ruleEntries(config)
    .filter((entry) => !known.has(entry.id))
    .map(({ id, path }) => {
      const where = formatWhere(source.locate(path));
      const list = path.slice(0, -1).join(".");
      const hint = didYouMean(id, knownRules) || (/^SC\d+$/i.test(id) ? " (runner-kit has no ShellCheck rules)" : "");
      return `${where}: rule "${id}" in ${list} is not a rule runner-kit has${hint}; it changes nothing (runner-kit's rules are listed in docs/render-and-lint.md)`;
    });
}

function unusedKeyWarnings(source: YamlSource, config: HadolintConfig): string[] {
  return UNUSED_KEYS.filter((key) => config[key] !== undefined).map(
    (key) => `${formatWhere(source.locateKey([key]))}: "${key}" is a hadolint setting runner-kit does not use; it changes nothing${key === "format" ? " (pass --format to runner-kit lint)" : ""}`,
  );
}

/** Rule → severity; a rule under two severities takes the more severe one, as hadolint does, with a warning. */
function overrides(source: YamlSource, config: HadolintConfig): { override: Map<string, LintSeverity>; warnings: string[] } {
  const override = new Map<string, LintSeverity>();
  const warnings: string[] = [];
  for (const severity of [...LINT_SEVERITIES].reverse()) {
    (config.override?.[severity] ?? []).forEach((id, i) => {
      const earlier = override.get(id);
      if (earlier !== undefined) {
        warnings.push(`${formatWhere(source.locate(["override", severity, i]))}: rule "${id}" is under both override.${earlier} and override.${severity}; it is reported as ${severity}`);
      }
      override.set(id, severity);
    });
  }
  return { override, warnings };
}
