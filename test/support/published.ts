/**
 * What the publish job of a scaffold's pipeline left (issue 16 item 5), checked against the
 * registry: the merged lock's digest for every tag (read back through the registry API), and
 * config.toml pinning the runner's job image by its digest. Shared by pipeline-scaffold-run
 * (install: image) and pipeline-npx-run (install: npx).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { expect } from "vitest";
import { registryFetch, type TestRegistry } from "./registry.js";

export interface Lock {
  variants: Record<string, { repository: string; digest: string; tags: string[] }>;
}

/** The scaffold's variants, and the child pipeline's image jobs that build them. */
export const SCAFFOLD_VARIANTS = ["data/job-base", "job-base", "runner-aws"];

/** Check the publish job's artifacts in `published`; the merged lock. */
export async function expectPublished(published: string, registry: TestRegistry, repositoryPrefix: string, namespace: string): Promise<Lock> {
  const lock = JSON.parse(readFileSync(join(published, "runner-kit.lock"), "utf8")) as Lock;
  expect(Object.keys(lock.variants).sort()).toEqual(SCAFFOLD_VARIANTS);
  for (const [id, entry] of Object.entries(lock.variants)) {
    expect(entry.repository).toBe(`${repositoryPrefix}/${namespace}/${id}`);
    expect(entry.tags.length).toBeGreaterThan(0);
    for (const tag of entry.tags) {
      const manifest = await registryFetch(registry, `/v2/${namespace}/${id}/manifests/${tag}`, {
        method: "HEAD",
        headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json" },
      });
      expect(manifest.status, `${id}:${tag}`).toBe(200);
      expect(manifest.headers.get("docker-content-digest"), `${id}:${tag}`).toBe(entry.digest);
    }
  }
  // config.toml pins the runner's job image (runner.image: job-base, the team's variant) by its digest.
  const toml = parseToml(readFileSync(join(published, "runner", "config.toml"), "utf8")) as { runners: { docker: { image: string } }[] };
  const jobBase = lock.variants["data/job-base"]!;
  expect(toml.runners.map((runner) => runner.docker.image)).toEqual([`${jobBase.repository}@${jobBase.digest}`]);
  return lock;
}

/** Each image job's JUnit report, its artifact under `runDir`, names its smoke job. */
export function expectImageJobReports(runDir: string): void {
  for (const id of SCAFFOLD_VARIANTS) {
    const report = readFileSync(join(runDir, `build_${id.replace("/", "_")}`, "reports", `${id.replace("/", "__")}.xml`), "utf8");
    expect(report).toContain("<testsuite");
    expect(report).toContain(id);
  }
}
