/**
 * `ci: { platform_jobs: true }` end to end: the child pipeline runner-kit generates for a
 * two-platform image, run by `ci --run` as a privileged runner would run it (this host
 * refuses privileged containers: --emulate-privileged). One job per platform builds,
 * smoke-tests and pushes its image by digest in its own docker:dind (linux/amd64 natively,
 * linux/arm64 under the qemu emulation test/support/seed-arm64.sh registers, which the dind
 * daemons share with this kernel); the index job pushes the index and moves the tags; the
 * publish job merges the lock. The scaffold of pipeline-scaffold-run.test.ts
 * (test/support/scaffold-pipeline.ts) cut down to its job-base image, built FROM a
 * two-platform busybox index in the test's registry.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parseDocument } from "yaml";
import type { LockFile } from "../../src/lock/lockfile.js";
import { pushImageIndex, type IndexTarget } from "../../src/push/image-index.js";
import { OCI_INDEX } from "../../src/push/index-document.js";
import { pushImageByDigest } from "../../src/push/push-by-digest.js";
import { RegistryClient } from "../../src/push/registry-api.js";
import { pipelineGraph } from "../../src/pipeline/run/graph.js";
import { readPipeline } from "../../src/pipeline/run/model.js";
import { ensureArm64Image } from "../support/arm64.js";
import { runInProcess } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { registryFetch } from "../support/registry.js";
import { removeScaffold, scaffoldPipeline, scaffoldPlace, type ScaffoldPipeline } from "../support/scaffold-pipeline.js";
import { uniqueRunId } from "../fixtures/smoke/helpers.js";

const PLATFORMS = ["linux/amd64", "linux/arm64"];

describe("ci.platform_jobs: the generated per-platform pipeline, run end to end with ci --run", () => {
  const place = scaffoldPlace("platform-jobs-run");
  const { project, runId, namespace } = place;
  let s: ScaffoldPipeline | undefined;

  afterAll(async () => removeScaffold(await docker(), place, s));

  beforeAll(async () => {
    const d = await docker();
    const arm64 = await ensureArm64Image(d);
    s = await scaffoldPipeline(d, { project, runId, namespace, registryImage: inject("fixtures").registry, registryRunId: uniqueRunId("platform-jobs-registry") });
    const { registry, inside } = s;
    // The base as a fleet's mirror holds it: one tag, an index of both platforms.
    const client = new RegistryClient({ domain: registry.host, insecure: true, username: registry.username, password: registry.password });
    const target: IndexTarget = { domain: registry.host, path: "base/busybox", client };
    await pushImageIndex(target, ["multi"], [await pushImageByDigest(d, "busybox:latest", target), await pushImageByDigest(d, arm64, target)]);
    const path = join(project, "runner-kit.yaml");
    const doc = parseDocument(readFileSync(path, "utf8"));
    for (const key of [["images", "runner-aws"], ["teams"], ["runner"]]) doc.deleteIn(key);
    doc.setIn(["images", "job-base", "platforms"], doc.createNode(PLATFORMS, { flow: true }));
    doc.setIn(["images", "job-base", "args", "JOB_BASE_IMAGE"], `${inside}/base/busybox:multi`);
    doc.setIn(["ci", "platform_jobs"], true);
    writeFileSync(path, doc.toString());
    // The smoke job says which machine it runs on.
    writeFileSync(join(project, "smoke", "job-base.gitlab-ci.yml"), "smoke:\n  script:\n    - cat /etc/job-base\n    - echo \"machine=$(uname -m)\"\n");
    const rendered = await runInProcess(["render"], { cwd: project, env: s.env });
    expect(rendered.code, rendered.stderr).toBe(0);
  });

  it("builds each platform in its own job, pushes the index, and the merged lock records what the registry holds", async () => {
    const { registry, env } = s!;
    const r = await runInProcess(["ci", "--out", "child.yml", "--run", "--runner-config", "config.toml", "--emulate-privileged", "--artifacts-dir", "run1"], { cwd: project, env });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const child = pipelineGraph(readPipeline(readFileSync(join(project, "child.yml"), "utf8"), "child.yml"));
    expect(child.jobs.map((j) => j.name).filter((n) => n.startsWith("build:")).sort()).toEqual(["build:job-base", "build:job-base:linux/amd64", "build:job-base:linux/arm64"]);
    for (const job of child.jobs) expect(r.stdout).toMatch(new RegExp(`^${job.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s+\\S+\\s+passed\\s`, "m"));
    // Each platform's smoke job ran on its own platform.
    for (const [platform, machine] of [["linux/amd64", "x86_64"], ["linux/arm64", "aarch64"]]) {
      expect(r.stderr).toMatch(new RegExp(`^\\[build:job-base:${platform}\\] .*machine=${machine}$`, "m"));
    }

    const lock = JSON.parse(readFileSync(join(project, "run1", "runner-kit_publish", "runner-kit.lock"), "utf8")) as LockFile;
    const entry = lock.variants["job-base"]!;
    expect(Object.keys(entry.platforms ?? {}).sort()).toEqual(PLATFORMS);
    const path = entry.repository.slice(entry.repository.indexOf("/") + 1);
    for (const tag of entry.tags) {
      const res = await registryFetch(registry, `/v2/${path}/manifests/${tag}`, { headers: { Accept: OCI_INDEX } });
      expect(res.status, `${path}:${tag}`).toBe(200);
      expect(res.headers.get("docker-content-digest")).toBe(entry.digest);
      const index = (await res.json()) as { mediaType: string; manifests: { digest: string; platform: { os: string; architecture: string } }[] };
      expect(index.mediaType).toBe(OCI_INDEX);
      const byPlatform = Object.fromEntries(index.manifests.map((m) => [`${m.platform.os}/${m.platform.architecture}`, m.digest]));
      expect(byPlatform).toEqual(Object.fromEntries(PLATFORMS.map((p) => [p, entry.platforms![p]!.digest])));
    }
    await expectNoLeaks(runId);
  });
});
