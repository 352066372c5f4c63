import { notImplemented } from "../cli/not-implemented.js";
import type { Plan } from "./plan.js";

export interface LoadPlanOptions {
  cwd: string;
  /** Project file, relative to cwd (default runner-kit.yaml). */
  configFile?: string;
  /** Only this team's variants. */
  team?: string;
  /** Only these images (default: all). */
  images?: string[];
  /** --set key=value overrides of template values. */
  set?: string[];
  /** --build-arg KEY=VALUE overrides. */
  buildArgs?: string[];
}

/** STUB (render issue): load + validate runner-kit.yaml and resolve it into a Plan. */
export async function loadPlan(_options: LoadPlanOptions): Promise<Plan> {
  notImplemented("render");
}
