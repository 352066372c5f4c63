import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { packagePath } from "../../src/common/package-root.js";

describe("packagePath", () => {
  it("finds the package's own files from src/common/", () => {
    expect(JSON.parse(readFileSync(packagePath("package.json"), "utf8")).name).toBe("runner-kit");
    expect(existsSync(packagePath("templates/runner-aws"))).toBe(true);
    expect(existsSync(packagePath("smoke/runner-aws.gitlab-ci.yml"))).toBe(true);
  });
});
