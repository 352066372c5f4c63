import { configError } from "../common/errors.js";
import type { DockerAuthEntry, DockerConfigFile } from "./types.js";

/**
 * The Docker config.json model as the Docker CLI (configfile.LoadFromReader) and GitLab
 * Runner read it: `auths` entries keyed by registry, `credsStore`, `credHelpers`. Entries'
 * `auth` values are checked here so a broken file is one clear error naming its source
 * (never the value, which is a secret).
 */
export interface ParseConfigOptions {
  /** Accept the legacy ~/.dockercfg layout: the `auths` map at the top level. */
  legacy?: boolean;
}

export function parseDockerConfig(text: string, source: string, options: ParseConfigOptions = {}): DockerConfigFile {
  if (text.trim() === "") return {};
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw configError(`${source} is not valid JSON${jsonErrorPosition(why)}`, {
      hint: 'it must be a Docker config.json document such as {"auths":{"registry.example.com":{"auth":"<base64 of user:password>"}}}',
    });
  }
  if (!isObject(data)) throw notAnObject(source, "the document");
  const config: DockerConfigFile = { ...data };
  const auths = options.legacy && !("auths" in data) ? legacyAuths(data) : data.auths;
  if (auths !== undefined) {
    if (!isObject(auths)) throw notAnObject(source, '"auths"');
    config.auths = {};
    for (const [key, entry] of Object.entries(auths)) {
      if (!isObject(entry)) throw notAnObject(source, `"auths" entry "${key}"`);
      config.auths[key] = readEntry(entry, key, source);
    }
  }
  if (data.credsStore !== undefined && typeof data.credsStore !== "string") {
    throw configError(`"credsStore" in ${source} must be a string, the suffix of a docker-credential-<name> helper`);
  }
  if (data.credHelpers !== undefined) {
    if (!isObject(data.credHelpers)) throw notAnObject(source, '"credHelpers"');
    for (const [key, helper] of Object.entries(data.credHelpers)) {
      if (typeof helper !== "string") {
        throw configError(`"credHelpers" entry "${key}" in ${source} must be a string, the suffix of a docker-credential-<name> helper`);
      }
    }
  }
  return config;
}

/** base64 "user:password" → its parts; an empty string means no credentials. */
export function decodeAuthField(auth: string): { username: string; password: string } | undefined {
  if (auth === "") return { username: "", password: "" };
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(auth.trim())) return undefined;
  const text = Buffer.from(auth.trim(), "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon === -1) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

function readEntry(entry: Record<string, unknown>, key: string, source: string): DockerAuthEntry {
  const out: DockerAuthEntry = {};
  for (const field of ["auth", "username", "password", "identitytoken", "registrytoken", "serveraddress", "email"] as const) {
    const value = entry[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== "string") {
      throw configError(`the "${field}" of "auths" entry "${key}" in ${source} must be a string`);
    }
    out[field] = value;
  }
  if (out.auth !== undefined && decodeAuthField(out.auth) === undefined) {
    throw configError(`the "auth" of "auths" entry "${key}" in ${source} is not base64 of "user:password"`, {
      hint: 'write it as the output of `printf %s "user:password" | base64`, or use "username" and "password"',
    });
  }
  return out;
}

/** ~/.dockercfg: { "<registry>": { "auth": …, "email": … }, … } */
function legacyAuths(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([, value]) => isObject(value)));
}

/** Where JSON.parse stopped, without the snippet of input V8 quotes (it may hold a secret). */
function jsonErrorPosition(message: string): string {
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return ` (line ${lineColumn[1]}, column ${lineColumn[2]})`;
  const position = /at position (\d+)/.exec(message);
  if (position) return ` (at character ${Number(position[1]) + 1})`;
  return "";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function notAnObject(source: string, what: string) {
  return configError(`${what} in ${source} must be a JSON object`);
}
