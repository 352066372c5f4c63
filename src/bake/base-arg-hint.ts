import type { Dockerfile } from "../dockerfile/parse.js";
import { baseImageArgs, dockerfileBases } from "../dockerfile/from.js";
import { parseImageReference } from "../reference/parse.js";

/** The names a daemon may print for an image: as written, and fully qualified (docker.io/library/…). */
function namesOf(image: string): string[] {
  try {
    const ref = parseImageReference(image);
    return [image, ref.toString(), ref.familiarName];
  } catch {
    return [image];
  }
}

/**
 * When a build failed on a base image that a build arg chose (`FROM ${TOOLS_BASE_IMAGE}`):
 * one sentence naming the image the arg resolved to and the arg that changes it, so
 * "no such host" for a Docker Hub image reads as what it is on a Hub-less machine. Pure;
 * undefined when no such FROM is involved in the failure.
 */
export function baseArgHint(model: Dockerfile, args: Record<string, string>, target: string | undefined, failure: { failedStep?: string; error?: string }): string | undefined {
  const text = `${failure.failedStep ?? ""}\n${failure.error ?? ""}`;
  const argsByLine = baseImageArgs(model);
  for (const stage of dockerfileBases(model, args, target).stages) {
    const names = argsByLine.get(stage.line);
    if (!names || stage.image === "") continue;
    const mentioned = names.some((name) => new RegExp(`\\$\\{?${name}\\b`).test(text)) || namesOf(stage.image).some((n) => text.includes(n));
    if (!mentioned) continue;
    const arg = names[0]!;
    return `the FROM on line ${stage.line} of the rendered Dockerfile takes its image from build arg ${arg}, which resolved to ${stage.image}; if the daemon cannot pull that image (no Docker Hub, a private registry), give it one it can with --build-arg ${arg}=… or under the image's args: in runner-kit.yaml`;
  }
  return undefined;
}
