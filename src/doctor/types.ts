/**
 * One finding of `runner-kit doctor`: what was looked at, what was found and, for a
 * problem, what to do. Never holds a secret: details name credential sources, not values.
 */
export type CheckStatus = "ok" | "warning" | "problem" | "skipped";

export type CheckArea = "daemon" | "builder" | "platforms" | "credentials" | "helper" | "project" | "registry";

export interface Check {
  area: CheckArea;
  /** What was checked: an address, a file, a helper, a registry domain. */
  subject: string;
  status: CheckStatus;
  detail: string;
  /** What to do (problems and warnings). */
  fix?: string;
}

export const check = (area: CheckArea, subject: string, status: CheckStatus, detail: string, fix?: string): Check =>
  fix === undefined ? { area, subject, status, detail } : { area, subject, status, detail, fix };
