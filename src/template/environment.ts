import Handlebars from "handlebars";
import { guardTemplate, makeOutputGuard, OUT_HELPER, REQUIRE_HELPER, requireValue } from "./guard.js";
import { registerHelpers } from "./helpers.js";
import { problemIn } from "./template-problem.js";

/**
 * The one Handlebars environment: HTML escaping off, strict mode on, runner-kit's helpers,
 * and every template rewritten by the output guard before it is compiled.
 */
const hb = Handlebars.create();
registerHelpers(hb);
hb.registerHelper(OUT_HELPER, makeOutputGuard(hb.SafeString));
hb.registerHelper(REQUIRE_HELPER, requireValue);
const helperNames: ReadonlySet<string> = new Set(Object.keys(hb.helpers));

export type TemplateFn = (context: unknown, options?: { partials?: Record<string, TemplateFn>; data?: Record<string, unknown> }) => string;

export interface CompiledFile {
  file: string;
  render: TemplateFn;
  /** Names of the partials (sections) this file calls or defines with a partial block. */
  sections: ReadonlySet<string>;
}

/** Compile one template or partial file; any error names the file (and line, column). */
export function compileFile(file: string, text: string): CompiledFile {
  const sections = new Set<string>();
  let render: TemplateFn;
  try {
    const ast = guardTemplate(hb.parseWithoutProcessing(text), helperNames, sections);
    render = hb.compile(ast, { strict: true, noEscape: true }) as TemplateFn;
  } catch (error) {
    throw problemIn(file, error);
  }
  const wrapped: TemplateFn = (context, options) => {
    try {
      return render(context, options);
    } catch (error) {
      throw problemIn(file, error);
    }
  };
  return { file, render: wrapped, sections };
}
