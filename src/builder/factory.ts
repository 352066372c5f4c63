import type Docker from "dockerode";
import { ClassicBuilder } from "./classic.js";
import type { BuilderKind, ImageBuilder } from "./image-builder.js";
import { usageError } from "../common/errors.js";
import type { SecretSet } from "../common/secrets.js";

/** What a builder may need of the engine connection: the client, and where secrets are registered so no output shows them. */
export interface BuilderEngine {
  docker: Docker;
  secrets?: SecretSet;
}

/** The one place a builder is chosen: each BuilderKind is one implementation of ImageBuilder. */
export function createImageBuilder(kind: BuilderKind, engine: BuilderEngine): ImageBuilder {
  switch (kind) {
    case "classic":
      return new ClassicBuilder(engine.docker);
    case "buildkit":
      throw usageError("the BuildKit builder is not available in this version of runner-kit", { hint: "build with the classic builder" });
  }
}
