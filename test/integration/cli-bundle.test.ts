import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { BIN, projectEnv, runBin } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { writeProjectFiles } from "../support/project-files.js";

const DIST = join(import.meta.dirname, "..", "..", "dist");

/**
 * The bin as `npm run build` makes it (scripts/bundle-cli.mjs): a small ES module and
 * runner-kit with its libraries in one CommonJS file under dist/cli/, compiled from V8's
 * code cache, so start-up reads two files instead of several hundred modules; the files it finds through the package root (templates/, smoke/,
 * package.json) still found; stack traces with --debug still naming src/.
 */
describe("the bundled bin", () => {
  let dir: string;
  let hooks: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rk-bundle-"));
    // Every ES module the process resolves, recorded by a module hook (its own thread).
    writeFileSync(
      join(dir, "hooks.mjs"),
      'import { appendFileSync } from "node:fs";\nexport async function resolve(specifier, context, next) {\n  const r = await next(specifier, context);\n  appendFileSync(process.env.RK_LOADED, `${r.url}\\n`);\n  return r;\n}\n',
    );
    writeFileSync(join(dir, "register.mjs"), 'import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n');
    // And every CommonJS module, as the process exits.
    writeFileSync(join(dir, "cjs.cjs"), 'process.on("exit", () => require("fs").appendFileSync(process.env.RK_LOADED, Object.keys(require.cache).join("\\n") + "\\n"));\n');
    hooks = `--import ${join(dir, "register.mjs")} --require ${join(dir, "cjs.cjs")}`;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The files a run of the bin loaded, as paths. */
  async function loadedBy(argv: string[], cwd: string): Promise<{ code: number; stderr: string; files: string[] }> {
    const list = join(dir, `loaded-${argv[0]}.txt`);
    const r = await runBin(argv, { cwd, env: { PATH: process.env.PATH, HOME: dir, NODE_OPTIONS: hooks, RK_LOADED: list } });
    const lines = existsSync(list) ? readFileSync(list, "utf8").split("\n") : [];
    const files = lines.filter((l) => l.startsWith("file:") || l.startsWith("/")).map((l) => (l.startsWith("file:") ? fileURLToPath(l) : l));
    return { code: r.code, stderr: r.stderr, files };
  }

  it("renders a new project from files under dist/cli/ alone, with the built-in templates", async () => {
    const init = await runBin(["init", "proj"], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    const project = join(dir, "proj");
    const r = await loadedBy(["render"], project);
    expect(r.code, r.stderr).toBe(0);
    // The built-in templates were found from the bundle's place in the package.
    expect(readFileSync(join(project, "images", "runner-aws", "Dockerfile"), "utf8")).toMatch(/^FROM /m);
    const ours = r.files.filter((f) => !f.startsWith(dir));
    expect(ours).toContain(BIN);
    // Nothing of tsc's per-room output and no package from node_modules: all of it is in the bundle.
    expect(ours.filter((f) => !f.startsWith(join(DIST, "cli") + "/"))).toEqual([]);
  });

  it("keeps V8's young generation at its initial size (peak memory of large contexts)", async () => {
    // The same CLI with and without main.ts's heap flags: tsc's dist/cli/process.js is what
    // main.ts starts, minus them. Each run records its young generation's size as it exits.
    const project = join(dir, "proj");
    if (!existsSync(project)) expect((await runBin(["init", "proj"], { cwd: dir })).code).toBe(0);
    writeFileSync(
      join(dir, "heap.cjs"),
      'process.on("exit", () => require("fs").writeFileSync(process.env.RK_HEAP, String(require("v8").getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size)));\n',
    );
    const newSpace = async (bin: string): Promise<number> => {
      const out = join(dir, "heap.txt");
      const r = await execa("node", [bin, "render"], { cwd: project, reject: false, env: { PATH: process.env.PATH, HOME: dir, NODE_OPTIONS: `--require ${join(dir, "heap.cjs")}`, RK_HEAP: out } });
      expect(r.exitCode, r.stderr).toBe(0);
      return Number(readFileSync(out, "utf8"));
    };
    const withFlags = await newSpace(BIN);
    const without = await newSpace(join(DIST, "cli", "process.js"));
    expect(withFlags).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(without).toBeGreaterThan(withFlags);
  });

  it("names src/ files in the stack trace of --debug", async () => {
    const r = await runBin(["render", "--debug"], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no project file here");
    expect(r.stderr).toMatch(/at configError \(.*\/src\/common\/errors\.ts:\d+:\d+\)/);
    expect(r.stderr).toMatch(/\/src\/project\/load\.ts:\d+:\d+/);
  });

  it("prints no stack without --debug", async () => {
    const r = await runBin(["render"], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir } });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

/**
 * `--version` and the top-level help, answered by dist/cli/main.js before it loads the
 * bundle (src/cli/early-answers.ts): byte for byte what the bundle itself prints, off a
 * terminal and on terminals of several widths, and without running the bundle (which
 * would leave a code cache behind).
 */
describe("the bin's early answers", () => {
  const BUNDLE = join(DIST, "cli", "cli.cjs");
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rk-early-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints what the bundle prints, and never runs it", async () => {
    const xdg = join(dir, "xdg");
    const env = { PATH: process.env.PATH, HOME: dir, XDG_CACHE_HOME: xdg };
    for (const argv of [["--version"], ["-V"], ["--help"], ["-h"], ["help"], []]) {
      const bin = await runBin(argv, { cwd: dir, env });
      const full = await execa("node", [BUNDLE, ...argv], { cwd: dir, env: { NO_COLOR: "1", ...env }, reject: false });
      expect([bin.code, bin.stdout, bin.stderr], argv.join(" ")).toEqual([full.exitCode, full.stdout, full.stderr]);
      expect(bin.code).toBe(0);
    }
    expect(existsSync(join(xdg, "runner-kit", "code-cache"))).toBe(false);
    // Anything else is the bundle's: it runs, and leaves its code cache.
    expect((await runBin(["lock", "--help"], { cwd: dir, env })).code).toBe(0);
    expect(readdirSync(join(xdg, "runner-kit", "code-cache")).filter((f) => f.endsWith(".bin"))).toHaveLength(1);
  });

  it("wraps the help as commander does at the terminal's width", async () => {
    // A pseudo-terminal of `cols` columns (util-linux script), so commander reads its width.
    const onTerminal = async (file: string, cols: number) =>
      (await execa("script", ["-qec", `stty cols ${cols}; node ${file} --help`, "/dev/null"], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir } })).stdout;
    for (const cols of [40, 64, 100, 200]) {
      const bin = await onTerminal(BIN, cols);
      expect(bin, `${cols} columns`).toBe(await onTerminal(BUNDLE, cols));
      expect(bin).toContain("Usage: runner-kit");
    }
    expect(await onTerminal(BIN, 64)).not.toBe(await onTerminal(BIN, 200));
  });
});

/**
 * The code cache (src/cli/code-cache.ts): V8's compiled code for dist/cli/cli.cjs, written
 * after the first run under $XDG_CACHE_HOME/runner-kit/code-cache/ and read by the next.
 */
describe("the bin's code cache", () => {
  const runId = newRunId();
  const ref = `codecache.test/rk-${runId}/one:v1`;
  let dir: string;
  let project: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rk-codecache-"));
    project = join(dir, "proj");
    writeProjectFiles(project, {
      "runner-kit.yaml": `registry: codecache.test/rk-${runId}\ntemplates: templates\nimages:\n  one:\n    template: small\n    context: ctx\n    tags: [v1]\n`,
      "templates/small/Dockerfile.hbs": "FROM busybox:latest\nCOPY payload.txt /payload.txt\n",
      "ctx/payload.txt": `${runId}\n`,
    });
  });
  afterAll(async () => {
    await (await docker()).getImage(ref).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  const cacheFiles = (xdg: string): string[] => {
    const folder = join(xdg, "runner-kit", "code-cache");
    return existsSync(folder) ? readdirSync(folder).map((name) => join(folder, name)) : [];
  };
  /** A command whose output is the same every time: the plan as JSON. */
  const PLAN = ["render", "--plan", "--json"];
  const run = (argv: string[], xdg: string) => runBin(argv, { cwd: project, env: projectEnv(dir, runId, { XDG_CACHE_HOME: xdg }) });

  it("is written by the first run (mode 0600) and used as it stands by the next", async () => {
    const xdg = join(dir, "xdg-1");
    const first = await run(PLAN, xdg);
    expect(first.code, first.stderr).toBe(0);
    const [file, list] = cacheFiles(xdg).sort();
    expect(file).toMatch(/\.bin$/);
    expect(JSON.parse(readFileSync(list!, "utf8"))).toEqual(["render"]);
    for (const f of [file!, list!]) expect(statSync(f).mode & 0o777, f).toBe(0o600);
    expect(statSync(file!).mode & 0o777).toBe(0o600);
    const before = statSync(file!);
    const second = await run(PLAN, xdg);
    expect([second.code, second.stdout, second.stderr]).toEqual([first.code, first.stdout, first.stderr]);
    // Accepted by V8, and this command already taught it: not written again.
    expect(statSync(file!).ino).toBe(before.ino);
    expect(statSync(file!).mtimeMs).toBe(before.mtimeMs);
    // Another command's first run adds what it compiled; its second does not.
    expect((await run(["lock", "--help"], xdg)).code).toBe(0);
    const after = statSync(file!);
    expect(after.ino).not.toBe(before.ino);
    expect(after.size).toBeGreaterThanOrEqual(before.size);
    expect((await run(["lock", "--help"], xdg)).code).toBe(0);
    expect(statSync(file!).ino).toBe(after.ino);
  });

  it("imports packages on demand when compiled from the cache (a real classic build loads dockerode)", async () => {
    const xdg = join(dir, "xdg-2");
    for (const round of [1, 2]) {
      const r = await run(["build", "--force", "--builder", "classic"], xdg);
      expect(r.code, `round ${round}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/one\s+v1\s+built/);
      expect(cacheFiles(xdg).filter((f) => f.endsWith(".bin"))).toHaveLength(1);
    }
  });

  it("falls back to a plain compile, silently, when the cache is damaged, and replaces it", async () => {
    const xdg = join(dir, "xdg-3");
    const good = await run(PLAN, xdg);
    expect(good.code, good.stderr).toBe(0);
    const [file] = cacheFiles(xdg).filter((f) => f.endsWith(".bin"));
    const junk = Buffer.alloc(statSync(file!).size, 7);
    writeFileSync(file!, junk);
    const r = await run(PLAN, xdg);
    expect([r.code, r.stdout, r.stderr]).toEqual([good.code, good.stdout, good.stderr]);
    expect(readFileSync(file!).equals(junk)).toBe(false);
  });

  it("runs the same when the cache folder cannot be made", async () => {
    const blocker = join(dir, "not-a-folder");
    writeFileSync(blocker, "");
    const good = await run(PLAN, join(dir, "xdg-4"));
    expect(good.code, good.stderr).toBe(0);
    const r = await run(PLAN, blocker);
    expect([r.code, r.stdout, r.stderr]).toEqual([good.code, good.stdout, good.stderr]);
  });
});
