import { configError } from "../common/errors.js";
import { runnerSectionSchema, type RunnerSection } from "../project/runner-schema.js";

/**
 * Validate a `runner:` section outside the project loader (library callers, tests). The
 * loader embeds runnerSectionSchema and reports the same messages with line:column.
 * `where` names the section, e.g. "runner-kit.yaml: teams.data.runner".
 */
export function parseRunnerSection(value: unknown, where: string): RunnerSection {
  const result = runnerSectionSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  throw configError(`invalid runner section: ${problems.join("; ")}`, {
    where,
    hint: "see the README section on `runner-kit config` for the keys a runner section takes",
  });
}
