import { looksSecretName } from "../common/secrets.js";
import { instructionWords } from "../dockerfile/words.js";
import { declaredNames } from "./names.js";
import type { Rule } from "./rule.js";

const KNOWN = new Set(["FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"]);

/** Instruction-level rules. */
export const instructionRules: Rule[] = [
  {
    id: "RK000",
    severity: "error",
    summary: "instructions are Dockerfile instructions",
    check(file, report) {
      for (const i of file.instructions) if (!KNOWN.has(i.keyword)) report(i, `"${i.keyword}" is not a Dockerfile instruction`, "fix the keyword (a broken line continuation often causes this)");
      if (file.stages.length === 0) {
        const first = file.instructions[0];
        if (first) report(first, "the Dockerfile has no FROM", "start a stage with FROM <image>:<tag>");
      }
    },
  },
  {
    id: "DL3020",
    severity: "error",
    summary: "COPY, not ADD, for files and directories",
    check(file, report) {
      for (const i of file.instructions) {
        if (i.keyword !== "ADD") continue;
        const sources = instructionWords(i.args, file.escape).slice(0, -1);
        if (sources.some((s) => !/^https?:\/\//.test(s) && !/\.(?:tar|tar\.\w+|tgz|tbz2?|txz)$/.test(s))) {
          report(i, "ADD copies local files with surprising archive and URL semantics", "use COPY for files and directories");
        }
      }
    },
  },
  {
    id: "DL3025",
    severity: "warning",
    summary: "CMD and ENTRYPOINT in JSON form",
    check(file, report) {
      for (const i of file.instructions) {
        if ((i.keyword === "CMD" || i.keyword === "ENTRYPOINT") && !i.args.startsWith("[")) {
          report(i, `${i.keyword} in shell form runs under /bin/sh -c and does not receive signals`, `write it as ${i.keyword} ["executable", "arg"]`);
        }
      }
    },
  },
  {
    id: "DL4000",
    severity: "error",
    summary: "no MAINTAINER",
    check(file, report) {
      for (const i of file.instructions) if (i.keyword === "MAINTAINER") report(i, "MAINTAINER is deprecated", 'use LABEL org.opencontainers.image.authors="…"');
    },
  },
  {
    id: "DL3064",
    severity: "warning",
    summary: "no secrets in ARG or ENV",
    check(file, report) {
      for (const i of file.instructions) {
        if (i.keyword !== "ARG" && i.keyword !== "ENV") continue;
        for (const name of declaredNames(i, file.escape)) {
          if (looksSecretName(name)) report(i, `${i.keyword} ${name} looks like a secret, and ARG/ENV values stay in the image history`, "pass secrets at run time (CI variables, credential helpers), never as build args");
        }
      }
    },
  },
];
