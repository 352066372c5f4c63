import { notImplemented } from "../cli/not-implemented.js";

export interface ImageReference {
  /** "docker.io", "registry.example.com:5000" */
  domain: string;
  /** "library/debian", "platform/runner-aws" */
  path: string;
  tag?: string;
  digest?: string;
  /** domain/path */
  name: string;
  /** Docker's short form: "debian", "gitlab/gitlab-runner", "registry.example.com:5000/x" */
  familiarName: string;
  toString(): string;
}

/** STUB (build issue): distribution/reference parse with Docker Hub normalisation. */
export function parseImageReference(_ref: string): ImageReference {
  notImplemented("build");
}
