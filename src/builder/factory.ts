import type Docker from "dockerode";
import { ClassicBuilder } from "./classic.js";
import type { BuilderKind, ImageBuilder } from "./image-builder.js";
import { BuildKitBuilder } from "./buildkit/buildkit-builder.js";
import type { SecretSet } from "../common/secrets.js";

/** What a builder may need of the engine connection: the client, and where secrets are registered so no output shows them. */
export interface BuilderEngine {
  docker: Docker;
  secrets?: SecretSet;
  /** Where `{ env: VAR }` build secrets are read from. */
  env?: NodeJS.ProcessEnv;
}

/** The one place a builder is chosen: each BuilderKind is one implementation of ImageBuilder. */
export function createImageBuilder(kind: BuilderKind, engine: BuilderEngine): ImageBuilder {
  switch (kind) {
    case "classic":
      return new ClassicBuilder(engine.docker);
    case "buildkit":
      return new BuildKitBuilder(engine.docker, { ...(engine.secrets ? { secretSet: engine.secrets } : {}), ...(engine.env ? { env: engine.env } : {}) });
  }
}
