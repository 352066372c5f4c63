/**
 * Durations as GitLab CI writes them (`timeout: 1h 30m`, `3 hours`, `90 minutes`, `45s`)
 * and as CLI flags (`--timeout 10m`, `--services-timeout 30`). A bare number is seconds.
 */

const UNITS: Record<string, number> = {
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600,
  d: 86_400, day: 86_400, days: 86_400,
  w: 604_800, week: 604_800, weeks: 604_800,
};

/** Seconds, or undefined when the text is not a duration. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === "number") return Number.isFinite(text) && text >= 0 ? text : undefined;
  const trimmed = text.trim().toLowerCase();
  if (trimmed === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const token = /(\d+(?:\.\d+)?)\s*([a-z]+)/g;
  let total = 0;
  let consumed = "";
  for (const match of trimmed.matchAll(token)) {
    const factor = UNITS[match[2] as string];
    if (factor === undefined) return undefined;
    total += Number(match[1]) * factor;
    consumed += match[0];
  }
  // Everything except separators must have been understood.
  const leftover = trimmed.replace(token, "").replace(/\band\b/g, "").replace(/[\s,]+/g, "");
  return consumed !== "" && leftover === "" ? total : undefined;
}
