import { describe, expect, it } from "vitest";
import type { RunnerKitError } from "../../src/common/errors.js";
import { parseYamlSource } from "../../src/common/yaml-source.js";
import { loadPlan } from "../../src/project/load.js";
import { makeProject } from "../fixtures/project/make-project.js";

const project = (imageB: string[]) => ({
  "templates/t/Dockerfile.hbs": "FROM debian:bookworm\n",
  "runner-kit.yaml": [
    "registry: registry.example.com:5000/platform",
    "templates: templates",
    "images:",
    "  a: &base",
    "    template: t",
    "    args: { GITLAB_RUNNER_VERSION: v17.3.0 }",
    "    values: { packages: [jq] }",
    "    tags: [v1]",
    "  b:",
    ...imageB,
    "",
  ].join("\n"),
});

describe("runner-kit.yaml: YAML merge keys, as in a .gitlab-ci.yml", () => {
  it("builds a variant from another image's settings with <<: *anchor, its own keys winning", async () => {
    const plan = await loadPlan({ cwd: makeProject(project(["    <<: *base", "    tags: [v2]"])) });
    const b = plan.variants.find((v) => v.image === "b");
    expect(b?.args).toMatchObject({ GITLAB_RUNNER_VERSION: "v17.3.0" });
    expect(b?.tags).toEqual(["v2"]);
  });

  it("points an error in a merged value at the anchor where it is written", () => {
    const source = parseYamlSource("runner-kit.yaml", project(["    <<: *base", "    tags: [v2]"])["runner-kit.yaml"]);
    expect(source.locate(["images", "b", "args", "GITLAB_RUNNER_VERSION"])).toEqual({ file: "runner-kit.yaml", line: 6, column: 36 });
    expect(source.locateKey(["images", "b", "values"])).toEqual({ file: "runner-kit.yaml", line: 7, column: 5 });
    expect(source.locateKey(["images", "b", "tags"])).toEqual({ file: "runner-kit.yaml", line: 11, column: 5 });
  });

  it("stays strict about keys written twice (runner-kit.yaml is runner-kit's own format)", async () => {
    const error = await loadPlan({ cwd: makeProject(project(["    <<: *base", "    tags: [v2]", "    tags: [v3]"])) }).catch((e: RunnerKitError) => e);
    expect((error as RunnerKitError).message).toMatch(/^invalid YAML: Map keys must be unique/);
  });
});
