// bench/platforms: a two-platform image published under one tag — runner-kit's push by digest
// + OCI index (dist/push) vs the docker CLI's way (tag and push each platform's image, then
// `docker manifest create` + `docker manifest push`). Both against the same authenticated
// registry (the test fixture image), the same two local images (busybox:latest for amd64 and
// runner-kit-test/busybox-arm64 for arm64, seeded by .ci/run), fresh repositories each round.
// Prints one JSON document: medians in ms, and the index step on its own.
import { execa } from "execa";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

const root = join(import.meta.dirname, "..", "..");
const dist = (p) => import(join(root, "dist", p));
const { pushImageByDigest } = await dist("push/push-by-digest.js");
const { pushImageIndex } = await dist("push/image-index.js");
const { RegistryClient } = await dist("push/registry-api.js");
const Docker = (await import("dockerode")).default;

const ROUNDS = Number(process.env.BENCH_PLATFORM_ROUNDS ?? 5);
const IMAGES = [["linux/amd64", "busybox:latest"], ["linux/arm64", "runner-kit-test/busybox-arm64:latest"]];
const DOCKER = process.env.BENCH_DOCKER ?? "/usr/bin/docker";
const docker = new Docker();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const label = ["--label", "io.runner-kit.managed=true", "--label", "io.runner-kit.role=bench-registry"];

const work = mkdtempSync(join(tmpdir(), "rk-bench-platforms-"));
const user = `bench-${randomBytes(3).toString("hex")}`;
const pass = randomBytes(12).toString("base64url");
await execa(DOCKER, ["build", "-q", "-t", "runner-kit-bench/registry:latest", join(root, "test", "fixtures", "images", "registry")]);
const { stdout: id } = await execa(DOCKER, ["create", ...label, "-p", "127.0.0.1::5000", "runner-kit-bench/registry:latest"]);
try {
  mkdirSync(join(work, "auth"));
  writeFileSync(join(work, "auth", "credentials"), `${user}\n${pass}\n`, { mode: 0o600 });
  await execa(DOCKER, ["cp", join(work, "auth"), `${id}:/`]);
  await execa(DOCKER, ["start", id]);
  const { stdout: port } = await execa(DOCKER, ["inspect", "-f", '{{(index (index .NetworkSettings.Ports "5000/tcp") 0).HostPort}}', id]);
  const host = `127.0.0.1:${port}`;
  for (let i = 0; i < 100 && (await fetch(`http://${host}/v2/`).then((r) => r.status, () => 0)) !== 401; i++) await new Promise((r) => setTimeout(r, 100));
  const env = { DOCKER_CONFIG: join(work, "cli") };
  await execa(DOCKER, ["login", host, "-u", user, "--password-stdin"], { input: pass, env });

  const runnerKit = [];
  const indexStep = [];
  const cli = [];
  for (let round = 0; round < ROUNDS; round++) {
    // runner-kit: each platform by digest, then the index, the tag moved last.
    const path = `bench/rk-${round}-${randomBytes(2).toString("hex")}`;
    const client = new RegistryClient({ domain: host, insecure: true, username: user, password: pass });
    const target = { domain: host, path, client };
    let t = performance.now();
    const images = [];
    for (const [, ref] of IMAGES) images.push(await pushImageByDigest(docker, ref, target));
    const i0 = performance.now();
    await pushImageIndex(target, ["v1"], images);
    const end = performance.now();
    runnerKit.push(end - t);
    indexStep.push(end - i0);

    // The docker CLI: a tag per platform pushed, then the manifest list created and pushed.
    const repo = `${host}/bench/cli-${round}-${randomBytes(2).toString("hex")}`;
    t = performance.now();
    for (const [platform, ref] of IMAGES) {
      const tag = `${repo}:v1-${platform.replace("/", "-")}`;
      await execa(DOCKER, ["tag", ref, tag], { env });
      await execa(DOCKER, ["push", "-q", tag], { env });
    }
    await execa(DOCKER, ["manifest", "create", "--insecure", `${repo}:v1`, ...IMAGES.map(([p]) => `${repo}:v1-${p.replace("/", "-")}`)], { env });
    await execa(DOCKER, ["manifest", "push", "--insecure", "--purge", `${repo}:v1`], { env });
    cli.push(performance.now() - t);
    for (const [platform] of IMAGES) await execa(DOCKER, ["rmi", `${repo}:v1-${platform.replace("/", "-")}`], { env, reject: false });
    console.error(`round ${round + 1}/${ROUNDS}: runner-kit ${Math.round(runnerKit.at(-1))} ms (index ${Math.round(indexStep.at(-1))} ms), docker CLI ${Math.round(cli.at(-1))} ms`);
  }
  const r = { rounds: ROUNDS, runnerKitMs: Math.round(median(runnerKit)), indexStepMs: Math.round(median(indexStep)), dockerCliMs: Math.round(median(cli)) };
  r.ratio = r.runnerKitMs / r.dockerCliMs;
  console.log(JSON.stringify(r));
} finally {
  await execa(DOCKER, ["rm", "-f", "-v", id], { reject: false });
  rmSync(work, { recursive: true, force: true });
}
