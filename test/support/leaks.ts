import { expect } from "vitest";
import { countResources, listManagedResources } from "./resources.js";
import { docker } from "./docker.js";

/** Assert that a run left no labelled container, network or volume behind. */
export async function expectNoLeaks(runId: string): Promise<void> {
  const left = await listManagedResources(await docker(), runId);
  expect(countResources(left), `resources left by run ${runId}: ${JSON.stringify(left)}`).toBe(0);
}
