/**
 * A fresh `runner-kit init` scaffold set up so that its generated pipeline runs here with
 * `ci --run` (issue 16 item 5; pipeline-scaffold-run.test.ts and bench/pipeline share it):
 *
 * - a registry of its own with basic auth, published on the default bridge's gateway (what
 *   a container sees of this host) as well as 127.0.0.1: the dind daemons of the image jobs
 *   reach it at `inside`, and the host daemon (which trusts only loopback registries over
 *   plain HTTP) at `registry.host`;
 * - the dind service told `--insecure-registry=http://<inside>` (ci.services), as
 *   docs/pipeline.md says a plain-HTTP registry needs;
 * - no Docker Hub in a dind daemon either: busybox mirrored into that registry as the base
 *   of both templates, and the runner section's service left out (every smoke job's dind
 *   would pull it);
 * - the scaffold's templates and smoke jobs replaced by tiny busybox ones of the same names,
 *   args and team section (a project template wins over the built-in one), so a job's fresh
 *   dind daemon pulls a few MB instead of installing Debian packages;
 * - `ci.image` and the generate job's image: the runner-kit image of this checkout.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import { parseDocument } from "yaml";
import { readProgress } from "../../src/engine/progress.js";
import { projectEnv, runInProcess } from "./cli.js";
import { writeProjectFiles } from "./project-files.js";
import { removeManagedResources } from "./resources.js";
import { startRegistry, stopRegistry, type TestRegistry } from "./registry.js";
import { ensureRunnerKitImage } from "./runner-kit-image.js";
import { uniqueRunId } from "../fixtures/smoke/helpers.js";

/** The scaffold's two templates and smoke jobs, in busybox: same names, args and team section. */
export const TINY: Record<string, string> = {
  "templates/job-base/Dockerfile.hbs": [
    '{{arg "JOB_BASE_IMAGE" "busybox:1"}}',
    "FROM ${JOB_BASE_IMAGE}",
    'RUN echo "job-base {{variant.id}}" > /etc/job-base',
    "{{#> extra}}",
    "{{/extra}}",
    'CMD ["sh"]',
    "",
  ].join("\n"),
  "templates/runner-aws/Dockerfile.hbs": [
    "ARG GITLAB_RUNNER_VERSION",
    '{{arg "RUNNER_BASE_IMAGE" "busybox:1"}}',
    "FROM ${RUNNER_BASE_IMAGE}",
    "ARG GITLAB_RUNNER_VERSION",
    "RUN mkdir -p /root/.docker \\",
    " && printf '%s\\n' '{\"credHelpers\":{\"123456789012.dkr.ecr.eu-west-1.amazonaws.com\":\"ecr-login\"}}' > /root/.docker/config.json \\",
    ' && echo "$GITLAB_RUNNER_VERSION" > /etc/runner-version',
    "",
  ].join("\n"),
  "smoke/job-base.gitlab-ci.yml": ["smoke:", "  script:", "    - cat /etc/job-base", '    - echo "PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-unset}"', ""].join("\n"),
  "smoke/runner-aws.gitlab-ci.yml": ["smoke:", "  script:", "    - cat /root/.docker/config.json /etc/runner-version", ""].join("\n"),
};

/** A privileged runner with the /certs/client volume, as GitLab's docs write it for docker:dind. */
export const RUNNER_CONFIG = ['[[runners]]', 'name = "privileged"', "[runners.docker]", "privileged = true", 'volumes = ["/certs/client"]', ""].join("\n");

export interface ScaffoldPipeline {
  project: string;
  registry: TestRegistry;
  /** host:port of the registry as containers (and the host) reach it. */
  inside: string;
  /** The environment for runner-kit in the project: the run id and the registry login. */
  env: NodeJS.ProcessEnv;
  /** The runner-kit image the jobs run in. */
  image: string;
}

/** Where a test's scaffold lives: a temporary directory, the run id its resources carry, its registry namespace. */
export interface ScaffoldPlace {
  root: string;
  project: string;
  runId: string;
  namespace: string;
}

export function scaffoldPlace(name: string): ScaffoldPlace {
  const root = mkdtempSync(join(tmpdir(), `rk-${name}-`));
  const runId = uniqueRunId(name);
  return { root, project: join(root, "platform-images"), runId, namespace: `${name}-${runId}` };
}

/** Remove what a scaffold run made: the resources labelled with its run id, its registry, its directory. */
export async function removeScaffold(docker: Docker, place: ScaffoldPlace, s: ScaffoldPipeline | undefined): Promise<void> {
  await removeManagedResources(docker, place.runId);
  if (s) await stopRegistry(docker, s.registry);
  rmSync(place.root, { recursive: true, force: true });
}

/** The gateway address of Docker's default bridge network. */
export async function bridgeGateway(docker: Docker): Promise<string> {
  const bridge = await docker.getNetwork("bridge").inspect();
  const gateway = ((bridge.IPAM?.Config ?? []) as { Gateway?: string }[]).find((c) => c.Gateway)?.Gateway;
  if (!gateway) throw new Error("the default bridge network has no gateway address");
  return gateway;
}

/** Put a local image into the registry as base/NAME:TAG (what a fleet's mirror holds); its reference from inside. */
async function mirror(docker: Docker, registry: TestRegistry, inside: string, local: string, name: string): Promise<string> {
  const [path, tag] = name.split(":") as [string, string];
  const repo = `${registry.host}/base/${path}`;
  await docker.getImage(local).tag({ repo, tag });
  await readProgress(await docker.getImage(`${repo}:${tag}`).push({ authconfig: { username: registry.username, password: registry.password, serveraddress: registry.host } }));
  await docker.getImage(`${repo}:${tag}`).remove();
  return `${inside}/base/${name}`;
}

/**
 * Point the project at `host/namespace` (the dind daemons use `inside`, the host daemon
 * `registry.host`: the same registry): registry:, the base images and the dind service flag.
 */
export function pointProjectAt(s: ScaffoldPipeline, host: string, namespace: string): void {
  const path = join(s.project, "runner-kit.yaml");
  const doc = parseDocument(readFileSync(path, "utf8"));
  const base = `${host}/base/busybox:1`;
  doc.set("registry", `${host}/${namespace}`);
  doc.setIn(["images", "runner-aws", "args", "RUNNER_BASE_IMAGE"], base);
  doc.setIn(["images", "job-base", "args"], doc.createNode({ JOB_BASE_IMAGE: base }));
  doc.setIn(["ci", "services"], doc.createNode([{ name: "docker:27-dind", alias: "docker", command: [`--insecure-registry=http://${s.inside}`] }]));
  writeFileSync(path, doc.toString());
}

/** The scaffold in `project` (created by `init`), its registry started with `registryImage` and labelled with `registryRunId`. */
export async function scaffoldPipeline(docker: Docker, o: { project: string; runId: string; registryImage: string; registryRunId: string; namespace: string }): Promise<ScaffoldPipeline> {
  await docker.getImage("docker:27-dind").inspect().catch(() => {
    throw new Error("docker:27-dind is not on this daemon: run `bash test/support/seed-dind.sh` (bash .ci/run does)");
  });
  const image = await ensureRunnerKitImage(docker);
  const gateway = await bridgeGateway(docker);
  const registry = await startRegistry(docker, o.registryImage, o.registryRunId, { alsoOn: gateway });
  const inside = `${gateway}:${registry.host.split(":")[1]}`;
  const env = projectEnv(o.project, o.runId, { RUNNER_KIT_REGISTRY_USER: registry.username, RUNNER_KIT_REGISTRY_PASSWORD: registry.password });
  await mirror(docker, registry, inside, "busybox:latest", "busybox:1");
  const init = await runInProcess(["init", o.project]);
  if (init.code !== 0) throw new Error(`runner-kit init failed: ${init.stderr}`);
  const s: ScaffoldPipeline = { project: o.project, registry, inside, env, image };
  const path = join(o.project, "runner-kit.yaml");
  const doc = parseDocument(readFileSync(path, "utf8"));
  doc.set("templates", "templates");
  doc.deleteIn(["runner", "services"]);
  doc.setIn(["ci", "image"], image);
  writeFileSync(path, doc.toString());
  pointProjectAt(s, inside, o.namespace);
  const parentPath = join(o.project, ".gitlab-ci.yml");
  const parent = readFileSync(parentPath, "utf8");
  const replaced = parent.replace(/registry\.example\.com\/platform\/runner-kit:[^\s]+/g, image);
  if (replaced === parent) throw new Error("the scaffold's .gitlab-ci.yml no longer names the runner-kit image registry.example.com/platform/runner-kit:<version>");
  writeFileSync(parentPath, replaced);
  writeFileSync(join(o.project, "config.toml"), RUNNER_CONFIG);
  writeProjectFiles(o.project, TINY);
  const rendered = await runInProcess(["render"], { cwd: o.project, env });
  if (rendered.code !== 0) throw new Error(`runner-kit render failed: ${rendered.stderr}`);
  return s;
}
