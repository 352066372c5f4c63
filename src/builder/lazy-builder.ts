import type { BuildOutcome, BuildRequest, BuilderKind, ImageBuilder } from "./image-builder.js";
import type { BuilderEngine } from "./factory.js";

/** What the build jobs use of a builder: its build. */
export type Build = Pick<ImageBuilder, "build">;

/**
 * A builder made on the first build, not before: which one (`kind`, e.g. the daemon's
 * `GET /version` read by chooseBuilder) is asked then, and the builders' modules are loaded
 * then. A run that finds every image up to date asks nothing and loads none of them. Every
 * build of the run shares the one choice; a failed choice (BuildKit asked of a daemon
 * without it) rejects every build with the same error.
 */
export function lazyImageBuilder(kind: () => Promise<BuilderKind>, engine: BuilderEngine): Build {
  let made: Promise<ImageBuilder> | undefined;
  const builder = () =>
    (made ??= (async () => {
      const [chosen, { createImageBuilder }] = await Promise.all([kind(), import("./factory.js")]);
      return createImageBuilder(chosen, engine);
    })());
  return {
    async build(request: BuildRequest, onLine: (line: string) => void): Promise<BuildOutcome> {
      return (await builder()).build(request, onLine);
    },
  };
}
