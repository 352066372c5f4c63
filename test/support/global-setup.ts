import type { TestProject } from "vitest/node";
import { newRunId } from "../../src/engine/labels.js";
import { testDocker } from "./docker.js";
import { BASE_IMAGES, ensureBaseImage, ensureFixtureImage, FIXTURE_NAMES, type FixtureName } from "./images.js";
import { reapDeadRegistries, startRegistry, stopRegistry, type TestRegistry } from "./registry.js";

declare module "vitest" {
  export interface ProvidedContext {
    registry: TestRegistry;
    fixtures: Record<FixtureName, string>;
  }
}

/**
 * Integration-test environment: a real daemon (or one clear failure), the base images,
 * the fixture images (built once, cached by content hash) and one authenticated registry.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { docker } = await testDocker();
  for (const ref of BASE_IMAGES) await ensureBaseImage(docker, ref);
  const fixtures = {} as Record<FixtureName, string>;
  for (const name of FIXTURE_NAMES) fixtures[name] = await ensureFixtureImage(docker, name);
  await reapDeadRegistries(docker);
  const registry = await startRegistry(docker, fixtures.registry, `test-env-${newRunId()}`);
  project.provide("registry", registry);
  project.provide("fixtures", fixtures);
  return async () => {
    await stopRegistry(docker, registry);
  };
}
