import type Docker from "dockerode";
import { ClassicBuilder } from "./classic.js";
import type { BuilderKind, ImageBuilder } from "./image-builder.js";
import { usageError } from "../common/errors.js";

/** The one place a builder is chosen: each BuilderKind is one implementation of ImageBuilder. */
export function createImageBuilder(kind: BuilderKind, docker: Docker): ImageBuilder {
  switch (kind) {
    case "classic":
      return new ClassicBuilder(docker);
    case "buildkit":
      throw usageError("the BuildKit builder is not available in this version of runner-kit", { hint: "build with the classic builder" });
  }
}
