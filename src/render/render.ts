import { notImplemented } from "../cli/not-implemented.js";
import type { Variant } from "../project/plan.js";

/** STUB (render issue): the Dockerfile text of one variant, deterministic. */
export async function renderVariant(_variant: Variant): Promise<string> {
  notImplemented("render");
}
