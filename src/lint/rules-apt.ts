import type { Instruction, Stage } from "../dockerfile/parse.js";
import type { Rule } from "./rule.js";

/** The simple commands of a RUN (split on && || ; |), as word lists. */
export function commands(run: string): string[][] {
  return run
    .split(/&&|\|\||;|\|/)
    .map((c) => c.trim().split(/\s+/).filter(Boolean))
    .filter((c) => c.length > 0);
}

function aptInstalls(instruction: Instruction): string[][] {
  if (instruction.keyword !== "RUN") return [];
  return commands(instruction.args).filter((words) => /^(?:apt-get|apt)$/.test(words[0] ?? "") && words.includes("install"));
}

/**
 * Whether a RUN keeps apt's lists in a BuildKit cache mount
 * (`--mount=type=cache,target=/var/lib/apt/lists` or `/var/lib/apt`): they never reach the
 * layer, so nothing is left to remove.
 */
export function listsInCacheMount(run: Instruction): boolean {
  return run.flags.some((flag) => {
    if (flag.name !== "mount" || flag.value === undefined) return false;
    const fields = new Map(flag.value.split(",").map((f) => [f.slice(0, f.indexOf("=") < 0 ? f.length : f.indexOf("=")).toLowerCase(), f.slice(f.indexOf("=") + 1)] as const));
    const target = (fields.get("target") ?? fields.get("dst") ?? fields.get("destination") ?? "").replace(/\/+$/, "");
    return fields.get("type") === "cache" && (target === "/var/lib/apt/lists" || target === "/var/lib/apt");
  });
}

function runs(stages: Stage[]): Instruction[] {
  return stages.flatMap((s) => s.instructions.filter((i) => i.keyword === "RUN"));
}

/** A rule on every `apt-get install` command: `ok(words)` false → report. */
function installRule(id: string, summary: string, ok: (words: string[]) => boolean, message: string, fix: string): Rule {
  return {
    id,
    severity: "error",
    summary,
    check(file, report) {
      for (const run of runs(file.stages)) for (const words of aptInstalls(run)) if (!ok(words)) report(run, message, fix);
    },
  };
}

export const aptRules: Rule[] = [
  installRule(
    "DL3014",
    "apt-get install -y",
    (words) => words.some((w) => w === "--yes" || w === "--assume-yes" || w === "-qq" || w === "-q=2" || /^-[a-z]*y[a-z]*$/.test(w)),
    "apt-get install without -y waits for an answer no build gives",
    "add -y: apt-get install -y --no-install-recommends …",
  ),
  installRule(
    "DL3015",
    "apt-get install --no-install-recommends",
    (words) => words.includes("--no-install-recommends"),
    "apt-get install without --no-install-recommends pulls in packages nobody asked for",
    "add --no-install-recommends",
  ),
  {
    id: "DL3009",
    severity: "error",
    summary: "apt lists are removed in the RUN that fetched them",
    check(file, report) {
      // Like hadolint: only stages that end up in an image (the last one, or a base of a later FROM).
      const bases = new Set(file.stages.map((s) => s.base.toLowerCase()));
      const kept = file.stages.filter((s, i) => i === file.stages.length - 1 || (s.name !== undefined && bases.has(s.name)));
      for (const run of runs(kept)) {
        const updates = commands(run.args).some((w) => /^(?:apt-get|apt)$/.test(w[0] ?? "") && w.includes("update"));
        if (updates && !listsInCacheMount(run) && !/rm\s+-(?:rf|fr|r)\s+\/var\/lib\/apt\/lists/.test(run.args)) {
          report(run, "apt-get update leaves /var/lib/apt/lists in the image layer", "end the same RUN with && rm -rf /var/lib/apt/lists/*, or keep the lists in a cache mount (RUN --mount=type=cache,target=/var/lib/apt/lists,sharing=locked)");
        }
      }
    },
  },
];
