import { isAbsolute, resolve } from "node:path";
import { configError } from "../common/errors.js";
import type { SecretSet } from "../common/secrets.js";
import type { RunnerRegistry } from "../project/runner-schema.js";

/** A registry login resolved from the environment or a file; never from the project file. */
export interface StaticCredential {
  /** host[:port][/path] as written in the project file. */
  host: string;
  username: string;
  password: string;
  /** Where the password came from, for summaries: "env REGISTRY_PASSWORD" or "file secrets/pw". */
  from: string;
}

export interface CredentialSources {
  env: NodeJS.ProcessEnv;
  /** Reads a file (absolute path) as UTF-8; throws when it cannot. */
  readFile: (path: string) => string;
  /** Relative *_file paths resolve from here (the project file's directory). */
  rootDir: string;
  secrets: SecretSet;
  warn: (message: string) => void;
}

/** `where` names the registry entry, e.g. "runner-kit.yaml: teams.data.runner.registries[0]". */
export function resolveCredential(registry: RunnerRegistry, where: string, sources: CredentialSources): StaticCredential | undefined {
  const missing: string[] = [];
  const read = (kind: "username" | "password", envKey: string | undefined, fileKey: string | undefined): { value?: string; from: string } => {
    if (envKey !== undefined) {
      const value = sources.env[envKey];
      if (value === undefined) missing.push(`environment variable ${envKey} (${kind}_env) is not set`);
      else if (value === "") missing.push(`environment variable ${envKey} (${kind}_env) is set but empty`);
      return { value: value || undefined, from: `env ${envKey}` };
    }
    const path = isAbsolute(fileKey!) ? fileKey! : resolve(sources.rootDir, fileKey!);
    let text: string;
    try {
      text = sources.readFile(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      missing.push(`file ${fileKey} (${kind}_file) cannot be read${code ? ` (${code})` : ""}`);
      return { from: `file ${fileKey}` };
    }
    // Files usually end with one newline (echo > file); it is not part of the secret.
    const value = text.replace(/\r?\n$/, "");
    if (value === "") missing.push(`file ${fileKey} (${kind}_file) is empty`);
    return { value: value || undefined, from: `file ${fileKey}` };
  };

  const user =
    registry.username !== undefined ? { value: registry.username, from: "project file" } : read("username", registry.username_env, registry.username_file);
  const pass = read("password", registry.password_env, registry.password_file);
  if (pass.value !== undefined) sources.secrets.addCredential(user.value, pass.value);

  if (missing.length > 0) {
    const what = `the credentials of registry "${registry.host}" are not available: ${missing.join("; ")}`;
    if (registry.optional) {
      sources.warn(`${where}: ${what}; this optional registry is left out of DOCKER_AUTH_CONFIG and config.json`);
      return undefined;
    }
    throw configError(what, {
      where,
      hint: "export the variable (or create the file) before running runner-kit config, or mark the registry `optional: true`",
    });
  }
  const username = user.value!;
  if (username.includes(":")) {
    throw configError(`the username of registry "${registry.host}" contains ":", which Docker's auth encoding (base64 of user:password) cannot carry`, {
      where,
      hint: "use a username without a colon",
    });
  }
  return { host: registry.host, username, password: pass.value!, from: pass.from };
}
