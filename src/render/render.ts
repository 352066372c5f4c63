import type { Variant } from "../project/plan.js";
import { didYouMean } from "../common/nearest.js";
import type { TemplateFn } from "../template/environment.js";
import { withGeneratedHeader } from "./header.js";
import { resolveTemplate } from "../template/lookup.js";
import { TemplateProblem, templateError } from "../template/template-problem.js";
import { TemplateStore } from "../template/template-store.js";

export interface RenderOptions {
  /** Share one store across variants to compile each template file once. */
  store?: TemplateStore;
  /** The builder the Dockerfile is for, visible to templates as `builder` (default: buildkit). */
  builder?: "buildkit" | "classic";
}

export interface RenderedVariant {
  variant: Variant;
  text: string;
  /** Warnings from templates ({{warn}}) and overlay partials that override no section. */
  warnings: string[];
  /** The Dockerfile.hbs used and the partial files that overrode sections. */
  sources: { template: string; partials: Record<string, string> };
}

/** The Dockerfile text of one variant, deterministic. */
export async function renderVariant(variant: Variant, options: RenderOptions = {}): Promise<string> {
  return (await renderVariantDetailed(variant, options)).text;
}

export async function renderVariantDetailed(variant: Variant, options: RenderOptions = {}): Promise<RenderedVariant> {
  const store = options.store ?? new TemplateStore();
  try {
    const resolved = await resolveTemplate(store, variant.templateDirs, variant.template);
    const main = await store.compile(resolved.file);
    const partials: Record<string, TemplateFn> = {};
    const sections = new Set(main.sections);
    for (const [name, file] of resolved.partials) {
      const compiled = await store.compile(file);
      partials[name] = compiled.render;
      for (const s of compiled.sections) sections.add(s);
    }
    const warnings: string[] = [];
    for (const [name, file] of resolved.partials) {
      if (!sections.has(name)) {
        warnings.push(`${file} overrides no section of template "${variant.template}"${didYouMean(name, sections)}; sections: ${[...sections].sort().join(", ")}`);
      }
    }
    const context = {
      builder: options.builder ?? "buildkit",
      values: variant.values,
      args: variant.args,
      variant: {
        id: variant.id,
        image: variant.image,
        team: variant.team ?? null,
        template: variant.template,
        repository: variant.repository,
        tags: variant.tags,
      },
    };
    const body = main.render(context, { partials, data: { runnerKitWarnings: warnings } });
    return {
      variant,
      text: withGeneratedHeader(body, variant),
      warnings,
      sources: { template: resolved.file, partials: Object.fromEntries(resolved.partials) },
    };
  } catch (error) {
    if (error instanceof TemplateProblem) throw templateError(error, variant.id);
    throw error;
  }
}
