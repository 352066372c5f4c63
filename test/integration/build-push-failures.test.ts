import { rmSync } from "node:fs";
import { createServer } from "node:net";
import { afterAll, describe, expect, inject, it } from "vitest";
import { buildVariants } from "../../src/bake/build-variants.js";
import type { BuildOptions, BuildReporter } from "../../src/bake/types.js";
import { newRunId } from "../../src/engine/labels.js";
import { removeManagedResources } from "../support/resources.js";
import { registryCredential, tempVariant, testBuildDeps } from "../support/build-project.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { startRegistry } from "../support/registry.js";

const OPTIONS: BuildOptions = { jobs: 1, push: true, force: false, noCache: false, pull: false, pushAttempts: 2, backoffMs: 10 };

describe("push failures", () => {
  const fixtures = inject("fixtures");
  const runId = newRunId();
  const dirs: string[] = [];
  const images: string[] = [];

  afterAll(async () => {
    const d = await docker();
    await removeManagedResources(d, runId);
    for (const ref of images) await d.getImage(ref).remove({ force: true }).catch(() => {});
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  // The daemon itself retries each layer upload several times with growing pauses before it
  // gives up, so one attempt takes about a minute (more on a busy daemon).
  it("reports a registry that goes away mid-push after bounded, reported retries", { timeout: 480_000 }, async () => {
    const d = await docker();
    // A registry of this test's own, so stopping it disturbs no one else.
    const registry = await startRegistry(d, fixtures.registry, runId);
    const v = tempVariant("big", `${registry.host}/team/big-${runId}`, "FROM busybox:latest\nRUN head -c 48000000 /dev/urandom > /blob\n");
    dirs.push(v.context);
    images.push(`${v.repository}:v1`);
    const lines: string[] = [];
    let killed: Promise<unknown> | undefined;
    const base = await testBuildDeps(lines, registryCredential(registry));
    const reporter: BuildReporter = {
      ...base.reporter,
      start: (id, action) => {
        base.reporter.start(id, action);
        // The registry answered the up-to-date check; now it disappears as the push begins.
        if (action === "pushing") killed = d.getContainer(registry.containerId).remove({ force: true });
      },
    };
    const [r] = await buildVariants([v], { ...base, reporter, sleep: async () => void (await killed) }, OPTIONS);
    expect(r!.status, lines.join("\n")).toBe("failed");
    expect(r!.error).toMatch(new RegExp(`^the registry ${registry.host.replace(/\./g, "\\.")} stopped answering while ${v.repository.replace(/\./g, "\\.")}:v1 was being pushed`));
    expect(r!.error).toMatch(/gave up after 2 attempts/);
    expect(lines.filter((l) => /retrying in .* \(attempt 2 of 2\)/.test(l))).toHaveLength(1);
    await expectNoLeaks(runId);
  });

  it("names an unknown registry before building anything", async () => {
    // A port nothing listens on: taken from the OS, then released.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const v = tempVariant("nowhere", `127.0.0.1:${port}/team/nowhere-${runId}`, "FROM busybox:latest\nRUN true\n");
    dirs.push(v.context);
    const lines: string[] = [];
    const [r] = await buildVariants([v], await testBuildDeps(lines), OPTIONS);
    expect(r!.status).toBe("failed");
    expect(r!.error).toBe(
      `cannot reach the registry 127.0.0.1:${port} (ECONNREFUSED), so ${v.repository} cannot be pushed; check the registry host in runner-kit.yaml (\`registry:\`) and that the registry is running`,
    );
    expect(lines.join("\n")).not.toContain("Step 1/");
    await expectNoLeaks(runId);
  });
});
