import { writeProjectFile } from "../support/project-files.js";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import type { LockFile } from "../../src/lock/lockfile.js";
import { runInProcess } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { dockerAuthConfigFor, registryFetch } from "../support/registry.js";

/** `runner-kit build` end to end: a project on disk, the real engine, the authenticated registry. */
describe("runner-kit build (CLI)", () => {
  const registry = inject("registry");
  const runId = newRunId();
  const prefix = `${registry.host}/rk-${runId}`;
  let dir: string;

  const env = (password = registry.password): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: dir,
    NO_COLOR: "1",
    RUNNER_KIT_RUN_ID: runId,
    DOCKER_AUTH_CONFIG: dockerAuthConfigFor(registry, password),
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
  });
  const run = (argv: string[], password?: string) => runInProcess(argv, { cwd: dir, env: env(password) });

  const file = (path: string, text: string) => writeProjectFile(dir, path, text);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rk-build-cli-"));
    file(
      "runner-kit.yaml",
      [
        `registry: ${prefix}`,
        "templates: templates",
        "images:",
        "  base:",
        "    template: base",
        "    context: ctx/base",
        "    args: { FLAVOUR: plain }",
        "    tags: [v1]",
        "  app:",
        "    template: app",
        "    context: ctx/app",
        "    tags: [v1, latest]",
        "",
      ].join("\n"),
    );
    file("templates/base/Dockerfile.hbs", "FROM busybox:latest\nARG FLAVOUR\nCOPY motd /motd\nRUN echo \"{{args.FLAVOUR}}\" >> /motd\n");
    file("templates/app/Dockerfile.hbs", `FROM ${prefix}/base:v1\nCOPY . /app/\n`);
    file("ctx/base/motd", `hello ${runId}\n`);
    file("ctx/app/main.sh", "echo app\n");
  });

  afterAll(async () => {
    const d = await docker();
    for (const ref of [`${prefix}/app:v1`, `${prefix}/app:latest`, `${prefix}/base:v1`, `${prefix}/broken:v1`]) {
      await d.getImage(ref).remove({ force: true }).catch(() => {});
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("builds in dependency order, pushes, prints only JSON on stdout and writes the lock", async () => {
    const r = await run(["build", "--push", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { ok: boolean; images: { id: string; status: string; digest: string; tags: string[] }[] };
    expect(doc.ok).toBe(true);
    expect(doc.images.map((i) => [i.id, i.status])).toEqual([
      ["base", "built"],
      ["app", "built"],
    ]);
    expect(r.stderr.split("Authenticating with credentials from DOCKER_AUTH_CONFIG").length - 1).toBe(1);
    expect(r.stderr).not.toContain(registry.password);
    expect(r.stderr.indexOf("[app] building")).toBeGreaterThan(r.stderr.indexOf("[base] built and pushed"));

    const lock = JSON.parse(readFileSync(join(dir, "runner-kit.lock"), "utf8")) as LockFile;
    const app = doc.images.find((i) => i.id === "app")!;
    expect(lock.variants.app).toMatchObject({ repository: `${prefix}/app`, tags: ["v1", "latest"], digest: app.digest });
    expect(lock.variants.app!.baseImages[`${prefix}/base`]).toBe(doc.images[0]!.digest);
    expect(lock.variants.base!.baseImages["busybox:latest"]).toMatch(/^sha256:/);
    const head = await registryFetch(registry, `/v2/rk-${runId}/app/manifests/latest`, { method: "HEAD", headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json" } });
    expect(head.headers.get("docker-content-digest")).toBe(app.digest);
    await expectNoLeaks(runId);
  });

  it("skips every image of an unchanged project, and --locked passes", async () => {
    const r = await run(["build", "--push"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`${prefix}/base\\s+v1\\s+up-to-date`));
    expect(r.stdout).toMatch(new RegExp(`${prefix}/app\\s+v1,latest\\s+up-to-date`));
    expect(r.stderr).not.toContain("Step 1/");
    const lockText = readFileSync(join(dir, "runner-kit.lock"), "utf8");
    const locked = await run(["build", "--locked", "--lock-out", "locks/fragment.lock"]);
    expect(locked.code, locked.stderr).toBe(0);
    // The fragment carries this run's entries (digests kept: same content); the lock is untouched.
    expect(JSON.parse(readFileSync(join(dir, "locks", "fragment.lock"), "utf8"))).toEqual(JSON.parse(lockText));
    expect(readFileSync(join(dir, "runner-kit.lock"), "utf8")).toBe(lockText);
    await expectNoLeaks(runId);
  });

  it("--locked fails on a changed context without touching the lock", async () => {
    const before = readFileSync(join(dir, "runner-kit.lock"), "utf8");
    file("ctx/app/main.sh", "echo changed\n");
    const r = await run(["build", "--locked"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/runner-kit\.lock is stale: app changed \(content hash sha256:/);
    expect(r.stderr).not.toContain("Step 1/");
    expect(readFileSync(join(dir, "runner-kit.lock"), "utf8")).toBe(before);
    await expectNoLeaks(runId);
  });

  it("exits 1 with the failing step's output when one image fails, after building the others", async () => {
    file("runner-kit.yaml", `${readFileSync(join(dir, "runner-kit.yaml"), "utf8")}  broken:\n    template: broken\n    context: ctx/app\n    tags: [v1]\n`);
    file("templates/broken/Dockerfile.hbs", "FROM busybox:latest\nRUN echo 'compiling the thing' && echo 'fatal: no such thing' >&2 && exit 4\n");
    const r = await run(["build", "--builder", "classic"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`${prefix}/app\\s+v1,latest\\s+built`));
    expect(r.stdout).toMatch(new RegExp(`${prefix}/broken\\s+v1\\s+failed`));
    expect(r.stdout).toContain("broken: step 2/3 : RUN echo 'compiling the thing'");
    expect(r.stdout).toContain("returned a non-zero code: 4");
    expect(r.stdout).toContain("  | fatal: no such thing");
    expect(r.stderr).toMatch(/runner-kit: 1 of 3 images failed: broken\./);
    await expectNoLeaks(runId);
  });

  it("with BuildKit (the default on this daemon) the failing step is named the same way, with its output", async () => {
    const r = await run(["build", "broken"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`${prefix}/broken\\s+v1\\s+failed`));
    expect(r.stdout).toContain("broken: [2/2] RUN echo 'compiling the thing'");
    expect(r.stdout).toContain("exit code: 4");
    expect(r.stdout).toContain("  | fatal: no such thing");
    await expectNoLeaks(runId);
  });

  it("reports a wrong password clearly, without printing it", async () => {
    const r = await run(["build", "base", "--push", "--force", "--json"], "definitely-wrong-pw");
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { images: { status: string; error: string }[] };
    expect(doc.images[0]!.status).toBe("failed");
    expect(doc.images[0]!.error).toMatch(new RegExp(`refused .* ${registry.username} from DOCKER_AUTH_CONFIG`));
    expect(r.stdout + r.stderr).not.toContain("definitely-wrong-pw");
    await expectNoLeaks(runId);
  });
});
