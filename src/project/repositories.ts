/**
 * Every repository the project would push to (`<registry>/<image>`,
 * `<registry>/<team>/<image>`) must be a valid image reference: the schema checks the
 * registry's shape, but only the full name shows a host Docker refuses or a name over the
 * 255-character limit. Checked at load, so `render` refuses what `build` would.
 */
import { configError, isRunnerKitError } from "../common/errors.js";
import { parseImageReference } from "../reference/parse.js";
import type { ProjectFile } from "./schema.js";
import type { KeyPath, YamlSource } from "../common/yaml-source.js";

/** Throws the reference error, placed at the key that makes the repository invalid. */
export function checkRepositories(project: ProjectFile, source: YamlSource): void {
  const check = (repository: string, path: KeyPath, key: boolean, what: string) => {
    try {
      parseImageReference(repository);
    } catch (error) {
      if (!isRunnerKitError(error)) throw error;
      const tooLong = /characters long; at most \d+ are allowed/.test(error.message);
      const hint = tooLong ? "shorten the registry path (registry:), the team or the image name: Docker allows at most 255 characters after the registry host" : error.hint;
      throw configError(`${what} ${error.message}`, {
        where: key ? source.locateKey(path) : source.locate(path),
        ...(hint !== undefined ? { hint } : {}),
        ...(error.details !== undefined ? { details: error.details } : {}),
      });
    }
  };
  // The registry alone first, so a bad host is reported at `registry:`, not at an image.
  check(project.registry, ["registry"], false, "the registry is not a valid repository prefix:");
  for (const image of Object.keys(project.images)) {
    check(`${project.registry}/${image}`, ["images", image], true, `the repository of image "${image}" is not valid:`);
  }
  for (const [team, entry] of Object.entries(project.teams ?? {})) {
    for (const image of entry.images ?? Object.keys(project.images)) {
      if (!project.images[image]) continue;
      check(`${project.registry}/${team}/${image}`, ["teams", team], true, `the repository of team "${team}"'s variant of image "${image}" is not valid:`);
    }
  }
}
