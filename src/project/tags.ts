import { configError } from "../common/errors.js";
import { isValidTag } from "../reference/grammar.js";
import { compileFile, type CompiledFile } from "../template/environment.js";
import { TemplateProblem } from "../template/template-problem.js";
import type { Values } from "../template/values.js";
import type { KeyPath, YamlSource } from "../common/yaml-source.js";

const compiled = new Map<string, CompiledFile>();

function compileTag(template: string): CompiledFile {
  let found = compiled.get(template);
  if (!found) compiled.set(template, (found = compileFile("tag", template)));
  return found;
}

/** Render tag templates such as "{{args.GITLAB_RUNNER_VERSION}}" with {args, values}. */
export function renderTags(
  templates: readonly string[],
  context: { args: Record<string, string>; values: Values },
  source: YamlSource,
  path: KeyPath,
): string[] {
  const tags = templates.map((template, i) => {
    let tag: string;
    try {
      tag = compileTag(template).render(context).trim();
    } catch (error) {
      const reason = error instanceof TemplateProblem ? error.reason : String(error);
      throw configError(`tag "${template}" cannot be rendered: ${reason}`, {
        where: source.locate([...path, i]),
        hint: "tags may use {{args.NAME}} and {{values.name}}; give the build arg or value in runner-kit.yaml",
      });
    }
    if (!isValidTag(tag)) {
      throw configError(`tag "${template}" renders to "${tag}", which is not a valid image tag`, {
        where: source.locate([...path, i]),
        hint: "a tag is up to 128 letters, digits, _ . and -, not starting with . or -",
      });
    }
    return tag;
  });
  return [...new Set(tags)];
}
