import { describe, expect, it } from "vitest";
import { RunnerKitError } from "../../src/common/errors.js";
import { loadPlan } from "../../src/project/load.js";
import { makeProject } from "../fixtures/project/make-project.js";

const HEAD = "registry: r.example.com/p\nimages:\n  job-base: {}\n";

async function loadError(yaml: string): Promise<RunnerKitError> {
  const error = await loadPlan({ cwd: makeProject({ "runner-kit.yaml": yaml }) }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RunnerKitError);
  return error as RunnerKitError;
}

describe("the ci: section of runner-kit.yaml", () => {
  it("is read into the Plan as written", async () => {
    const yaml = `${HEAD}ci:\n  install: npx\n  image: node:20-bookworm\n  tags: [privileged]\n  variables: { RETRIES: 3 }\n  services:\n    - docker:27-dind\n    - name: my/dind:1\n      alias: docker\n`;
    const plan = await loadPlan({ cwd: makeProject({ "runner-kit.yaml": yaml }) });
    expect(plan.ci).toEqual({
      install: "npx",
      image: "node:20-bookworm",
      tags: ["privileged"],
      variables: { RETRIES: "3" },
      services: ["docker:27-dind", { name: "my/dind:1", alias: "docker" }],
    });
  });

  it("has no ci on the Plan when the project says nothing", async () => {
    const plan = await loadPlan({ cwd: makeProject({ "runner-kit.yaml": HEAD }) });
    expect(plan.ci).toBeUndefined();
  });

  it("an unknown key names the nearest valid one at its line and column", async () => {
    const e = await loadError(`${HEAD}ci:\n  instal: image\n`);
    expect(e.kind).toBe("config");
    expect(e.where).toMatchObject({ line: 5, column: 3 });
    expect(e.message).toContain('unknown key "instal" in ci (did you mean "install"?)');
  });

  it("an unknown install mode lists the valid ones", async () => {
    const e = await loadError(`${HEAD}ci:\n  install: pip\n`);
    expect(e.where).toMatchObject({ line: 5, column: 12 });
    expect(e.message).toMatch(/ci\.install.*"image".*"npx".*"package"/);
  });

  it("an unknown key in a service entry and a bad variable name are refused where they are", async () => {
    const service = await loadError(`${HEAD}ci:\n  services:\n    - name: docker:dind\n      alais: docker\n`);
    expect(service.where).toMatchObject({ line: 7 });
    expect(service.message).toContain("alais");
    const variable = await loadError(`${HEAD}ci:\n  variables:\n    "not a name": x\n`);
    expect(variable.where).toMatchObject({ line: 6 });
    expect(variable.message).toContain("variable names are letters, digits and _");
  });
});
