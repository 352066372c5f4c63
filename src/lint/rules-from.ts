import { splitReference } from "../reference/parse.js";
import type { Rule } from "./rule.js";

/** Base image rules: tags, `latest`, stage names. */
function stageNamesBefore(file: Parameters<Rule["check"]>[0], index: number): Set<string> {
  return new Set(file.stages.slice(0, index).flatMap((s) => (s.name ? [s.name] : [])));
}

/** A pinned digest makes any tag beside it irrelevant. */
function splitTag(image: string): { tag?: string; digest: boolean } {
  const { tag, digest } = splitReference(image);
  return digest !== undefined ? { digest: true } : { ...(tag !== undefined ? { tag } : {}), digest: false };
}

export const fromRules: Rule[] = [
  {
    id: "DL3006",
    severity: "error",
    summary: "base images carry a tag",
    check(file, report) {
      for (const stage of file.stages) {
        const image = stage.base;
        if (image === "" || image === "scratch" || image.includes("$")) continue;
        if (stageNamesBefore(file, stage.index).has(image.toLowerCase())) continue;
        const { tag, digest } = splitTag(image);
        if (!tag && !digest) report(stage.from, `FROM ${image} has no tag, so every build may get a different image`, `pin a release tag, e.g. FROM ${image}:<version> (or a digest)`);
      }
    },
  },
  {
    id: "DL3007",
    severity: "error",
    summary: "base images are not :latest",
    check(file, report) {
      for (const stage of file.stages) {
        if (stage.base.includes("$")) continue;
        if (splitTag(stage.base).tag === "latest") report(stage.from, `FROM ${stage.base} uses the moving :latest tag`, "pin a release tag instead of latest");
      }
    },
  },
  {
    id: "DL3024",
    severity: "error",
    summary: "stage names are unique",
    check(file, report) {
      const seen = new Set<string>();
      for (const stage of file.stages) {
        if (!stage.name) continue;
        if (seen.has(stage.name)) report(stage.from, `stage name "${stage.name}" is used twice`, "give every FROM … AS <name> a different name");
        seen.add(stage.name);
      }
    },
  },
  {
    id: "DL3022",
    severity: "warning",
    summary: "COPY --from names an earlier stage",
    check(file, report) {
      for (const stage of file.stages) {
        const earlier = stageNamesBefore(file, stage.index);
        for (const instruction of stage.instructions) {
          if (instruction.keyword !== "COPY") continue;
          const from = instruction.flags.find((f) => f.name === "from")?.value;
          if (from === undefined || /[:/.@$]/.test(from)) continue;
          if (/^\d+$/.test(from) ? Number(from) < stage.index : earlier.has(from.toLowerCase())) continue;
          report(instruction, `COPY --from=${from} names no earlier stage`, `define FROM … AS ${from} before this stage, or fix the name`);
        }
      }
    },
  },
];
