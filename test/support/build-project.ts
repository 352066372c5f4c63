import { mkdtempSync } from "node:fs";
import { writeProjectFiles } from "./project-files.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RegistryCredential } from "../../src/auth/types.js";
import { plainReporter } from "../../src/bake/reporters.js";
import type { BuildDeps } from "../../src/bake/types.js";
import type { Variant } from "../../src/project/plan.js";
import { docker } from "./docker.js";
import type { TestRegistry } from "./registry.js";

/** A variant whose context is a fresh temporary directory holding `files`. */
export function tempVariant(id: string, repository: string, dockerfile: string, files: Record<string, string> = {}, extra: Partial<Variant> = {}): Variant & { dockerfileText: string } {
  const dir = mkdtempSync(join(tmpdir(), "rk-build-"));
  writeProjectFiles(dir, files);
  return {
    id,
    image: id,
    template: id,
    templateDirs: [],
    values: {},
    args: {},
    repository,
    tags: ["v1"],
    context: dir,
    dockerfile: join(dir, "Dockerfile"),
    dockerfileText: dockerfile,
    ...extra,
  };
}

export function registryCredential(registry: TestRegistry, password = registry.password): RegistryCredential {
  return { registry: registry.host, username: registry.username, password, serverAddress: registry.host, source: "test" };
}

/** Build deps over the real daemon; the "renderer" returns each test variant's text. */
export async function testBuildDeps(lines: string[], credential?: RegistryCredential, extra: Partial<BuildDeps> = {}): Promise<BuildDeps> {
  return {
    docker: await docker(),
    renderDockerfile: async (v) => (v as Variant & { dockerfileText: string }).dockerfileText,
    resolveAuth: async (image) => (credential && image.startsWith(`${credential.registry}/`) ? credential : undefined),
    reporter: plainReporter((l) => lines.push(l)),
    now: () => new Date(),
    insecureRegistry: (domain) => domain.startsWith("127.0.0.1:") || domain.startsWith("localhost:"),
    sleep: async () => {},
    ...extra,
  };
}
