import { createHash } from "node:crypto";
import { join } from "node:path";
import { configError } from "../common/errors.js";

/** What discovery reads from the disk, passed in so tests use a fake config dir. */
export interface DiscoveryFs {
  /** A file's text, or undefined when it does not exist. */
  readText(path: string): string | undefined;
  /** Whether a Unix socket exists at path. */
  isSocket(path: string): boolean;
}

/** A Docker context's daemon endpoint, as `docker context create` stores it. */
export interface ContextEndpoint {
  name: string;
  host: string;
  skipTlsVerify: boolean;
  /** contexts/tls/<sha256 of name>/docker: ca.pem, cert.pem, key.pem, each optional. */
  tlsDir: string;
  /** The meta.json it was read from. */
  metaFile: string;
}

function readJson(fs: DiscoveryFs, path: string): unknown {
  const text = fs.readText(path);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw configError(`${path} is not valid JSON (${(error as Error).message})`, {
      hint: "fix or remove the file; the docker CLI cannot read it either",
    });
  }
}

/** `currentContext` of the Docker config dir's config.json, or undefined. */
export function currentContextName(configDir: string, fs: DiscoveryFs): string | undefined {
  const config = readJson(fs, join(configDir, "config.json")) as { currentContext?: unknown } | undefined;
  return typeof config?.currentContext === "string" && config.currentContext !== "" ? config.currentContext : undefined;
}

/** The docker endpoint of the named context: `contexts/meta/<sha256 of name>/meta.json`. */
export function readContextEndpoint(name: string, configDir: string, fs: DiscoveryFs, chosenBy: string): ContextEndpoint {
  const id = createHash("sha256").update(name).digest("hex");
  const metaFile = join(configDir, "contexts", "meta", id, "meta.json");
  const meta = readJson(fs, metaFile) as { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } } | undefined;
  if (meta === undefined) {
    throw configError(`the Docker context "${name}" (${chosenBy}) does not exist: there is no ${metaFile}`, {
      hint: `create it (\`docker context create ${name} --docker host=unix:///var/run/docker.sock\`), or choose another with DOCKER_CONTEXT or \`docker context use\``,
    });
  }
  const docker = meta.Endpoints?.docker;
  if (typeof docker?.Host !== "string" || docker.Host === "") {
    throw configError(`the Docker context "${name}" (${chosenBy}) has no docker endpoint host in ${metaFile}`, {
      hint: `set one with \`docker context update ${name} --docker host=…\``,
    });
  }
  return {
    name,
    host: docker.Host,
    skipTlsVerify: docker.SkipTLSVerify === true,
    tlsDir: join(configDir, "contexts", "tls", id, "docker"),
    metaFile,
  };
}
