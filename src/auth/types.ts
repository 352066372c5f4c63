/**
 * Docker config.json as the Docker CLI and GitLab Runner read it.
 * CONTRACT shared by auth (resolution) and runner (config.json writer).
 */
export interface DockerAuthEntry {
  /** base64 of "user:password" */
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
  serveraddress?: string;
  email?: string;
}

export interface DockerConfigFile {
  auths?: Record<string, DockerAuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

/** One place credentials come from, in precedence order (first defines a registry, keeps it). */
export interface AuthSource {
  /** Human name, e.g. "DOCKER_AUTH_CONFIG" or "/root/.docker/config.json". */
  source: string;
  config: DockerConfigFile;
}

export interface RegistryCredential {
  /** Registry path the credential matched, e.g. "registry.example.com:5000" or "docker.io". */
  registry: string;
  username: string;
  password: string;
  /** Server address to send to the daemon (the config key as written). */
  serverAddress: string;
  /** Which AuthSource it came from. */
  source: string;
  /** Set when the credential is an identity token rather than a password. */
  identityToken?: string;
}

export interface ResolveAuthOptions {
  /** Environment for credential helpers (PATH, HOME, AWS_*). Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Receives warnings such as a missing helper (that source is then skipped). */
  warn?: (message: string) => void;
  /** Time limit for one credential helper call, ms. */
  helperTimeoutMs?: number;
  /** Added by the auth issue: stops running credential helpers (Ctrl-C). */
  signal?: AbortSignal;
}
