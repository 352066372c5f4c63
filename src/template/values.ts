import { parse } from "yaml";
import { usageError } from "../common/errors.js";

export type Values = Record<string, unknown>;

function isPlainObject(value: unknown): value is Values {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Merge layers left to right: mappings merge key by key, everything else (lists,
 * scalars) is replaced by the later layer. Inputs are never mutated.
 */
export function mergeValues(...layers: (Values | undefined)[]): Values {
  let result: Values = {};
  for (const layer of layers) if (layer) result = mergeTwo(result, layer);
  return result;
}

function mergeTwo(base: Values, over: Values): Values {
  const result: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = result[key];
    result[key] = isPlainObject(current) && isPlainObject(value) ? mergeTwo(current, value) : clone(value);
  }
  return result;
}

function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (isPlainObject(value)) return mergeTwo({}, value);
  return value;
}

/** Split `key=value`; the key must be non-empty. */
export function splitAssignment(text: string, flag: string): [string, string] {
  const eq = text.indexOf("=");
  if (eq <= 0) {
    throw usageError(`${flag} expects KEY=VALUE, got "${text}"`, { hint: `write it as ${flag} name=value` });
  }
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/**
 * `--set a.b=v` assignments as one values layer. Values are read as YAML, so
 * `--set packages=[jq,curl]` is a list and `--set ecr.credsStore=true` a boolean;
 * anything that is not valid YAML stays a string. A value with a line break is refused
 * (YAML would fold it into a space).
 */
export function setLayer(assignments: readonly string[] = []): Values {
  const layer: Values = {};
  for (const text of assignments) {
    const [key, raw] = splitAssignment(text, "--set");
    const segments = key.split(".");
    if (segments.some((s) => s === "" || s === "__proto__" || s === "constructor" || s === "prototype")) {
      throw usageError(`--set key "${key}" is not a dotted path of value names`, { hint: "write it as --set ecr.registries=[…] or --set packages=jq" });
    }
    if (/[\r\n]/.test(raw)) {
      // YAML would fold the break into a space, so the value rendered would not be the one given.
      throw usageError(`--set ${key}: the value contains a line break, and values given with --set are single-line`, {
        hint: `give a list as --set ${key}=[a,b]; a value that needs several lines goes under values: in runner-kit.yaml (a YAML block scalar), where a template can print it through a helper that keeps it on one line, such as {{json …}}`,
      });
    }
    let target = layer;
    for (const segment of segments.slice(0, -1)) {
      const next = target[segment];
      target = target[segment] = isPlainObject(next) ? next : {};
    }
    target[segments[segments.length - 1]!] = parseScalar(key, raw);
  }
  return layer;
}

/** A --set value read as YAML; a plain word that is not YAML stays a string, but a broken list, mapping or quoted string is the user's error. */
function parseScalar(key: string, raw: string): unknown {
  if (raw === "") return "";
  try {
    const value: unknown = parse(raw);
    return value === null ? raw : value;
  } catch (error) {
    if (/^\s*[[{"']/.test(raw)) {
      const why = (error instanceof Error ? error.message.split("\n")[0]! : String(error)).replace(/:\s*$/, "");
      throw usageError(`--set ${key}: the value ${raw} is not valid YAML (${why})`, {
        hint: `close the list or mapping (--set ${key}=[a,b]), or quote the whole value to mean a string (--set '${key}="…"')`,
      });
    }
    return raw;
  }
}

/** `--build-arg KEY=VALUE` assignments as a build-args layer. */
export function buildArgLayer(assignments: readonly string[] = []): Record<string, string> {
  const layer: Record<string, string> = {};
  for (const text of assignments) {
    const [key, value] = splitAssignment(text, "--build-arg");
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw usageError(`--build-arg name "${key}" is not a valid build arg name`, { hint: "use letters, digits and _, e.g. --build-arg GITLAB_RUNNER_VERSION=v17.3.0" });
    }
    layer[key] = value;
  }
  return layer;
}
