import type { Instruction } from "../dockerfile/parse.js";
import type { Rule } from "./rule.js";

/** Parser-directive rules. */
export const directiveRules: Rule[] = [
  {
    id: "RK002",
    severity: "warning",
    summary: "no `# syntax=` directive",
    check(file, report) {
      for (const directive of file.directives) {
        if (directive.name !== "syntax") continue;
        // A directive is a comment line, not an instruction: reported at its own line.
        const at: Instruction = { keyword: "#", args: `syntax=${directive.value}`, flags: [], line: directive.line, endLine: directive.line, comments: [] };
        report(
          at,
          `# syntax=${directive.value} makes BuildKit pull the Dockerfile frontend image ${directive.value} from its registry (Docker Hub for docker/dockerfile) before every build; where that registry is unreachable or rate-limited the build fails, and the frontend is code the build runs unpinned unless a digest is given`,
          "delete the line: the daemon's built-in frontend already knows RUN --mount, COPY --link and heredoc-free BuildKit syntax; if a newer frontend is truly needed, mirror it into your own registry and pin it by digest",
        );
      }
    },
  },
];
