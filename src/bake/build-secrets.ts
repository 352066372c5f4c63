import { statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { configError, usageError } from "../common/errors.js";
import type { SecretSource } from "../builder/image-builder.js";
import { SECRET_ID } from "../project/build-settings-schema.js";
import type { Variant, VariantSecret } from "../project/plan.js";

/**
 * Build secrets of a run: `--secret` flags in docker's forms, merged over each variant's
 * `secrets:`, and checked before anything builds. Only where a value comes from is held
 * here; values are read by the builder's session when a build asks for them.
 */

/**
 * One `--secret` flag, as the docker CLI (BuildKit) reads it: comma-separated `key=value`
 * fields `id`, `src`/`source`, `env`, `type=file|env`. `type=env` takes the variable's name
 * from `src` when `env` is not given; with neither `src` nor `env`, the variable named
 * like the id when it is set, else the file named like the id. Files resolve from `cwd`.
 */
export function parseSecretFlag(flag: string, cwd: string, env: NodeJS.ProcessEnv): [string, VariantSecret] {
  const fields: Record<string, string> = {};
  for (const field of flag.split(",")) {
    const eq = field.indexOf("=");
    const key = eq < 0 ? "" : field.slice(0, eq).trim().toLowerCase();
    if (!["type", "id", "src", "source", "env"].includes(key)) {
      throw usageError(`--secret ${flag}: "${field}" is not one of id=ID, src=FILE, env=VAR, type=file|env`, { hint: "for example --secret id=npmrc,src=.npmrc or --secret id=token,env=TOKEN" });
    }
    fields[key === "source" ? "src" : key] = field.slice(eq + 1);
  }
  const { id, type } = fields;
  if (!id || !SECRET_ID.test(id)) throw usageError(`--secret ${flag}: it needs id=ID (letters, digits, _ . and -)`, { hint: "for example --secret id=npmrc,src=.npmrc" });
  if (type !== undefined && type !== "file" && type !== "env") throw usageError(`--secret ${flag}: type=${type} is not file or env`, { hint: "use type=file (the default) or type=env" });
  let { src, env: variable } = fields;
  if (type === "env" && variable === undefined) [variable, src] = [src ?? id, undefined];
  if (src !== undefined && variable !== undefined) throw usageError(`--secret ${flag}: a secret comes from a file (src=) or a variable (env=), not both`, { hint: "drop one of them" });
  const where = `--secret ${flag}`;
  if (variable !== undefined) return [id, { env: variable, where }];
  if (src === undefined && type !== "file" && env[id] !== undefined) return [id, { env: id, where }];
  const file = src ?? id;
  return [id, { file: isAbsolute(file) ? file : resolve(cwd, file), where }];
}

/** Every `--secret` flag; a later flag with the same id wins, as with docker. */
export function parseSecretFlags(flags: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Record<string, VariantSecret> {
  return Object.fromEntries(flags.map((flag) => parseSecretFlag(flag, cwd, env)));
}

/** A variant's secrets for this run: its project secrets, the `--secret` flags over them. */
export function runSecrets(variant: Variant, flags: Record<string, VariantSecret>): Record<string, VariantSecret> {
  return { ...variant.secrets, ...flags };
}

/** What a builder is given: where each value comes from, nothing else. */
export function secretSources(secrets: Record<string, VariantSecret>): Record<string, SecretSource> {
  return Object.fromEntries(Object.entries(secrets).map(([id, s]) => [id, "file" in s ? { file: s.file } : { env: s.env }]));
}

/**
 * Before anything builds: every secret's file exists (a regular file) and every secret's
 * variable is set. A missing one is a configuration error (exit 2) naming the id and where
 * it was given; the value itself is never read here.
 */
export function checkSecrets(variants: readonly Variant[], flags: Record<string, VariantSecret>, env: NodeJS.ProcessEnv): void {
  const seen = new Set<string>();
  for (const variant of variants) {
    for (const [id, secret] of Object.entries(runSecrets(variant, flags))) {
      if (seen.has(secret.where)) continue;
      seen.add(secret.where);
      if ("env" in secret) {
        if (env[secret.env] === undefined) {
          throw configError(`the build secret "${id}" comes from the environment variable ${secret.env}, which is not set`, {
            where: secret.where,
            hint: `export ${secret.env} (in CI: a masked CI/CD variable), or give the secret another way`,
          });
        }
      } else if (!isFile(secret.file)) {
        throw configError(`the build secret "${id}" comes from the file ${secret.file}, which does not exist or is not a file`, {
          where: secret.where,
          hint: "create the file or fix the path (secrets: paths are relative to runner-kit.yaml, --secret paths to the current directory)",
        });
      }
    }
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
