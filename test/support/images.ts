import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type Docker from "dockerode";
import { packDirectory } from "./tar.js";
import { readProgress, StreamError } from "../../src/engine/progress.js";
import { docker as testDockerClient } from "./docker.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "images");

/** Base images: pulled from Docker Hub on a user's machine, seeded by .ci/run here. */
export const BASE_IMAGES = ["debian:bookworm", "busybox:latest"] as const;

export type FixtureName = "registry" | "redis" | "http" | "job";
export const FIXTURE_NAMES: FixtureName[] = ["registry", "redis", "http", "job"];

async function imageExists(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch {
    return false;
  }
}

export async function ensureBaseImage(docker: Docker, ref: string): Promise<void> {
  if (await imageExists(docker, ref)) return;
  try {
    await readProgress(await docker.pull(ref));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(
      `The base image ${ref} is not on this daemon and cannot be pulled (${why}). ` +
        "Where Docker Hub is reachable `docker pull` fetches it; elsewhere `bash .ci/run` seeds it " +
        "(debootstrap + docker import for debian:bookworm, busybox-static for busybox:latest).",
    );
  }
}

/**
 * `ref` on the daemon: already there, else pulled, else (no Docker Hub here) `standIn` tagged
 * as `ref` and kept, as seeded base images are.
 */
export async function ensureImageOr(ref: string, standIn: string): Promise<void> {
  const docker = await testDockerClient();
  if (await imageExists(docker, ref)) return;
  try {
    await readProgress(await docker.pull(ref));
  } catch {
    const [repo, tag] = [ref.slice(0, ref.lastIndexOf(":")), ref.slice(ref.lastIndexOf(":") + 1)];
    await docker.getImage(standIn).tag({ repo, tag });
  }
}

function contentHash(dir: string): string {
  const hash = createHash("sha256");
  for (const file of readdirSync(dir).sort()) {
    hash.update(file).update("\0").update(readFileSync(join(dir, file))).update("\0");
  }
  return hash.digest("hex").slice(0, 12);
}

/** Build a fixture image once; later runs find it by its content-hash tag. */
export async function ensureFixtureImage(docker: Docker, name: FixtureName): Promise<string> {
  const dir = join(FIXTURES, name);
  const tag = `runner-kit-test/${name}:${contentHash(dir)}`;
  if (await imageExists(docker, tag)) return tag;
  const stream = await docker.buildImage(packDirectory(dir), {
    t: tag,
    rm: true,
    forcerm: true,
    labels: { "io.runner-kit.test-fixture": name },
  });
  try {
    await readProgress(stream);
  } catch (error) {
    if (error instanceof StreamError) {
      const tail = error.events.flatMap((e) => (e.stream ? [e.stream.trimEnd()] : [])).slice(-15).join("\n");
      throw new Error(`Building the test fixture image ${tag} failed: ${error.message}\n${tail}`);
    }
    throw error;
  }
  return tag;
}
