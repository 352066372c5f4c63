/**
 * The project doctor looks at: runner-kit.yaml loaded and every variant rendered (its FROM
 * lines give the base images' registries). Outside a project — no runner-kit.yaml and no
 * -c — the project checks are skipped and the report says so; a -c naming a missing file
 * is a usage error. A project that does not load is a problem, reported like the others.
 */
import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import type { CliContext } from "../common/context.js";
import { isRunnerKitError, usageError } from "../common/errors.js";
import { dockerfileBases } from "../dockerfile/from.js";
import { loadPlan } from "../project/load.js";
import type { Plan } from "../project/plan.js";
import { renderVariant } from "../render/render.js";
import { runnerSectionsOf } from "../runner/command.js";
import { TemplateStore } from "../template/template-store.js";
import { projectRegistries, type RegistryUse } from "./project-registries.js";
import { check, type Check } from "./types.js";

export interface LoadedProject {
  plan?: Plan;
  registries: RegistryUse[];
  checks: Check[];
}

const problemOf = (subject: string, error: unknown): Check =>
  isRunnerKitError(error) ? check("project", subject, "problem", error.toParagraph().replace(/\.$/, "")) : check("project", subject, "problem", String(error));

export async function loadProject(ctx: CliContext, configFile: string | undefined): Promise<LoadedProject> {
  const file = resolve(ctx.cwd, configFile ?? "runner-kit.yaml");
  const shown = relative(ctx.cwd, file) || file;
  if (!existsSync(file)) {
    if (configFile !== undefined) throw usageError(`-c/--config names ${file}, which does not exist`, { hint: "pass the path of a runner-kit.yaml, or leave -c out to check only the daemon and the credentials" });
    return { registries: [], checks: [check("project", ctx.cwd, "skipped", "no runner-kit.yaml here, so the project checks (its builder: setting and the registries it uses) were skipped; run doctor in a project folder or pass -c FILE")] };
  }
  const store = new TemplateStore();
  let plan: Plan;
  try {
    plan = await loadPlan({ cwd: ctx.cwd, store, ...(configFile !== undefined ? { configFile } : {}) });
  } catch (error) {
    return { registries: [], checks: [problemOf(shown, error)] };
  }
  const checks: Check[] = [];
  const basesById = new Map<string, string[]>();
  for (const variant of plan.variants) {
    try {
      basesById.set(variant.id, dockerfileBases(await renderVariant(variant, { store }), variant.args, variant.target).externalImages);
    } catch (error) {
      checks.push(problemOf(variant.id, error));
    }
  }
  const images = new Set(plan.variants.map((v) => v.image)).size;
  checks.unshift(check("project", shown, "ok", `${images} image${images === 1 ? "" : "s"}, ${plan.variants.length} variant${plan.variants.length === 1 ? "" : "s"}, pushed to ${plan.registry}`));
  return { plan, registries: projectRegistries(plan, basesById, runnerSectionsOf(plan).teams), checks };
}
