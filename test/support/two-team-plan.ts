import { join } from "node:path";
import type { Plan, Variant } from "../../src/project/plan.js";

/**
 * A hand-made two-team Plan (base + team data), where runner-aws builds FROM job-base:
 * the input of the pipeline generator tests, independent of the project loader.
 */
export function twoTeamPlan(root: string): { plan: Plan; dockerfiles: Map<string, string> } {
  const registry = "registry.example.com/platform";
  const variant = (image: string, team?: string): Variant => {
    const id = team ? `${team}/${image}` : image;
    return {
      id,
      image,
      team,
      template: image,
      templateDirs: [...(team ? [join(root, "teams", team)] : []), join(root, "templates")],
      values: {},
      args: { GITLAB_RUNNER_VERSION: "v17.3.0" },
      repository: `${registry}/${id}`,
      tags: ["latest"],
      context: join(root, "images", id),
      dockerfile: join(root, "images", id, "Dockerfile"),
      ...(image === "runner-aws" ? { smoke: { file: join(root, "smoke", "runner-aws.gitlab-ci.yml") } } : {}),
    };
  };
  const variants = [variant("job-base"), variant("runner-aws"), variant("job-base", "data"), variant("runner-aws", "data")];
  const dockerfiles = new Map<string, string>([
    ["job-base", "FROM debian:bookworm\n"],
    ["data/job-base", "FROM debian:bookworm\n"],
    ["runner-aws", `FROM debian:bookworm AS tools\nFROM ${registry}/job-base:latest\n`],
    ["data/runner-aws", `ARG BASE=${registry}/data/job-base:latest\nFROM \${BASE}\n`],
  ]);
  return { plan: { projectFile: join(root, "runner-kit.yaml"), rootDir: root, registry, variants }, dockerfiles };
}
