import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { scaffoldFiles } from "../../src/init/scaffold.js";
import { projectJsonSchema, projectJsonSchemaText, SCHEMA_FILE, SCHEMA_MODELINE } from "../../src/project/json-schema.js";
import { loadPlan } from "../../src/project/load.js";
import { runInProcess } from "../support/cli.js";
import { writeProjectFiles } from "../support/project-files.js";

const ROOT = join(import.meta.dirname, "..", "..");
const CASES = join(ROOT, "test", "bad-input", "cases");

/**
 * Project files runner-kit rejects that the schema cannot: rules across keys or files, which
 * JSON Schema does not express. Every other case must get the same verdict from both.
 */
const RUNNER_KIT_ONLY: Record<string, string> = {
  "image-repository-too-long": "the 255-character limit is on registry path + team + image name together",
  "registry-path-too-long": "the 255-character limit is on registry path + image name together",
  "tag-invalid-chars": "tags are Handlebars templates ({{args.V}}): the tag grammar is checked on what they render to",
  "tag-leading-dash": "tags are Handlebars templates: the tag grammar is checked on what they render to",
  "tag-too-long": "tags are Handlebars templates: the 128-character limit is checked on what they render to",
  "team-unknown-image": "a team's images: must name keys of images: (a reference across keys)",
  "unknown-template": "template: must name a template folder that exists (the project's or a built-in one)",
};

describe("the JSON Schema of runner-kit.yaml", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(projectJsonSchema());

  /** The schema's verdict: the YAML parses and validates. */
  const schemaAccepts = (text: string): boolean => {
    let data: unknown;
    try {
      data = parse(text);
    } catch {
      return false;
    }
    return validate(data ?? {});
  };

  /** runner-kit's verdict: loadPlan accepts the project (schema, then rules across keys). */
  const runnerKitAccepts = async (files: Record<string, string>): Promise<boolean> => {
    const dir = mkdtempSync(join(tmpdir(), "rk-schema-case-"));
    dirs.push(dir);
    writeProjectFiles(dir, files);
    return loadPlan({ cwd: dir }).then(
      () => true,
      () => false,
    );
  };

  it(`is committed as ${SCHEMA_FILE}, shipped in the package, and current (regenerate: runner-kit schema --out ${SCHEMA_FILE})`, () => {
    expect(readFileSync(join(ROOT, SCHEMA_FILE), "utf8")).toBe(projectJsonSchemaText());
    expect((JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { files: string[] }).files).toContain(SCHEMA_FILE.split("/")[0]);
  });

  it("`runner-kit schema` prints it, and --out writes it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rk-schema-out-"));
    dirs.push(dir);
    const printed = await runInProcess(["schema"], { cwd: dir });
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toBe(projectJsonSchemaText());
    const written = await runInProcess(["schema", "--out", "s.json"], { cwd: dir });
    expect(written.code, written.stderr).toBe(0);
    expect(readFileSync(join(dir, "s.json"), "utf8")).toBe(projectJsonSchemaText());
  });

  it("init's runner-kit.yaml starts with the yaml-language-server line pointing at the shipped schema", () => {
    const first = scaffoldFiles("0.1.0")["runner-kit.yaml"]!.split("\n")[0];
    expect(first).toBe(SCHEMA_MODELINE);
    expect(first).toBe(`# yaml-language-server: $schema=./node_modules/runner-kit/${SCHEMA_FILE}`);
  });

  it("accepts every valid project: the scaffold, the repository's own, the fixtures", async () => {
    const valid: Record<string, Record<string, string>> = {
      scaffold: scaffoldFiles("0.1.0"),
      repository: { "runner-kit.yaml": readFileSync(join(ROOT, "runner-kit.yaml"), "utf8") },
      "two-team fixture": { "runner-kit.yaml": readFileSync(join(ROOT, "test/fixtures/runner/two-team/runner-kit.yaml"), "utf8") },
    };
    for (const [name, files] of Object.entries(valid)) {
      expect(schemaAccepts(files["runner-kit.yaml"]!), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(await runnerKitAccepts(scaffoldFiles("0.1.0"))).toBe(true);
  });

  it("agrees with runner-kit's verdict on every project file of the bad-input corpus", async () => {
    const disagree: string[] = [];
    let compared = 0;
    for (const name of readdirSync(CASES).filter((n) => n.endsWith(".yaml")).sort()) {
      const spec = parse(readFileSync(join(CASES, name), "utf8").replaceAll("$REGISTRY", "127.0.0.1:5000")) as { files?: Record<string, string> };
      const project = spec.files?.["runner-kit.yaml"];
      if (project === undefined) continue;
      compared += 1;
      const [schema, runnerKit] = [schemaAccepts(project), await runnerKitAccepts(spec.files!)];
      const id = name.replace(/\.yaml$/, "");
      if (id in RUNNER_KIT_ONLY) {
        if (!(schema && !runnerKit)) disagree.push(`${id}: listed as runner-kit-only, but schema ${schema} / runner-kit ${runnerKit}`);
      } else if (schema !== runnerKit) {
        disagree.push(`${id}: schema ${schema ? "accepts" : "rejects"}, runner-kit ${runnerKit ? "accepts" : "rejects"}`);
      }
    }
    expect(compared).toBeGreaterThan(40);
    expect(disagree).toEqual([]);
  });
});
