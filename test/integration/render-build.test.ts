import { mkdtempSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packDirectory } from "../support/tar.js";
import { newRunId, runLabels } from "../../src/engine/labels.js";
import { readProgress, StreamError } from "../../src/engine/progress.js";
import { removeManagedResources } from "../support/resources.js";
import { loadPlan } from "../../src/project/load.js";
import type { Variant } from "../../src/project/plan.js";
import { renderVariant } from "../../src/render/render.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";

/**
 * The rendered built-in templates build with the real Docker Engine and the tools work in
 * the result: runner-aws with its final stage on the local debian:bookworm (the README's
 * `--build-arg RUNNER_BASE_IMAGE=debian:bookworm`), and job-base. Rendered for the classic
 * builder, since this test uses its endpoint; main-job.test.ts builds the BuildKit form.
 */
describe("rendered images build and work", () => {
  const runId = newRunId();
  const repoRoot = join(import.meta.dirname, "..", "..");
  const dirs: string[] = [];
  const tags: string[] = [];

  afterAll(async () => {
    const d = await docker();
    await removeManagedResources(d, runId);
    for (const tag of tags) await d.getImage(tag).remove({ force: true }).catch(() => {});
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function variant(id: string): Promise<Variant> {
    const plan = await loadPlan({ cwd: repoRoot, images: [id.split("/").pop()!] });
    return plan.variants.find((v) => v.id === id)!;
  }

  /** Render into a fresh context dir and build it; the tag is removed after the tests. */
  async function build(v: Variant, buildargs: Record<string, string>): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), "rk-render-build-"));
    dirs.push(dir);
    await writeFile(join(dir, "Dockerfile"), await renderVariant(v, { builder: "classic" }));
    const tag = `runner-kit-test-render/${v.image}-${runId}:test`;
    tags.push(tag);
    const d = await docker();
    const stream = await d.buildImage(packDirectory(dir), { t: tag, buildargs, rm: true, forcerm: true, labels: { "io.runner-kit.test": runId } });
    try {
      await readProgress(stream);
    } catch (error) {
      if (error instanceof StreamError) {
        const tail = error.events.flatMap((e) => (e.stream ? [e.stream.trimEnd()] : [])).slice(-20).join("\n");
        throw new Error(`building ${v.id} failed: ${error.message}\n${tail}`);
      }
      throw error;
    }
    return tag;
  }

  /** Run a shell command in the image (labelled container, always removed). */
  async function run(image: string, script: string): Promise<{ code: number; output: string }> {
    const d = await docker();
    const container = await d.createContainer({ Image: image, Cmd: ["sh", "-c", script], Tty: true, Labels: runLabels(runId) });
    try {
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      const output = (await container.logs({ stdout: true, stderr: true })).toString("utf8");
      return { code: StatusCode, output };
    } finally {
      await container.remove({ force: true });
    }
  }

  it("runner-aws on debian:bookworm: aws, docker-credential-ecr-login and the ECR config.json", async () => {
    const v = await variant("runner-aws");
    const tag = await build(v, { ...v.args, RUNNER_BASE_IMAGE: "debian:bookworm" });
    const result = await run(tag, "aws --version && docker-credential-ecr-login version && cat /root/.docker/config.json");
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/aws-cli\/\d+\.\d+\.\d+/);
    expect(result.output).toMatch(/^\d+\.\d+\.\d+/m); // docker-credential-ecr-login version
    expect(JSON.parse(result.output.split("\n").find((l) => l.startsWith("{"))!)).toEqual({
      credHelpers: { "123456789012.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login" },
    });
    const info = await (await docker()).getImage(tag).inspect();
    expect(info.Config.Labels).toMatchObject({
      "org.opencontainers.image.title": "runner-aws",
      "org.opencontainers.image.version": "v17.3.0",
      "io.runner-kit.variant": "runner-aws",
    });
    await expectNoLeaks(runId);
  });

  it("job-base: bash, grep, git and CA certificates, no entrypoint, bash as CMD", async () => {
    const v = await variant("job-base");
    const tag = await build(v, v.args);
    const result = await run(tag, "bash --version && git --version && grep --version && test -s /etc/ssl/certs/ca-certificates.crt && echo certs-ok");
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/GNU bash/);
    expect(result.output).toMatch(/git version \d/);
    expect(result.output).toMatch(/grep \(GNU grep\)/);
    expect(result.output).toContain("certs-ok");
    const info = await (await docker()).getImage(tag).inspect();
    expect(info.Config.Entrypoint ?? null).toBeNull();
    expect(info.Config.Cmd).toEqual(["bash"]);
    await expectNoLeaks(runId);
  });
});
