import type { Dockerfile, Instruction } from "../dockerfile/parse.js";

export type Severity = "error" | "warning" | "info";

export interface Finding {
  rule: string;
  severity: Severity;
  line: number;
  message: string;
  /** What to change. */
  fix: string;
}

/** A lint rule: an id (hadolint's where one exists, RKnnn for runner-kit's own), a severity and a check over the Dockerfile model. */
export interface Rule {
  id: string;
  severity: Severity;
  summary: string;
  check(file: Dockerfile, report: (at: Instruction, message: string, fix: string) => void): void;
}
