/**
 * The session's `moby.buildkit.secrets.v1.Secrets` service: `RUN --mount=type=secret,id=…`
 * reads a build secret from a file or an environment variable, by id. Every value served
 * is registered with the SecretSet, so output that echoes it is redacted.
 *
 * An id nobody gave is answered NOT_FOUND, as the docker CLI's session answers it: BuildKit
 * then skips a mount that is not `required=true` and fails one that is. BuildKit's own
 * message for that failure ("secret X not found") does not say how to give the secret, so
 * the ids asked for and not given are recorded and `explainMissingSecret` says it.
 */
import { readFile } from "node:fs/promises";
import type { SecretSet } from "../../common/secrets.js";
import type { SecretSource } from "../image-builder.js";
import { GrpcCode, SessionCallError, type SessionMethod } from "./session.js";

export interface SecretsServiceOptions {
  secrets: Record<string, SecretSource>;
  env: NodeJS.ProcessEnv;
  secretSet?: SecretSet;
  /** Reads a secret file (default: fs.readFile). */
  readFile?: (path: string) => Promise<Buffer>;
  /** Each id the build asked for and nobody gave is added here. */
  missing?: Set<string>;
}

/** The sentence that names a secret id nobody gave, the ids that were given, and how to give it. */
export function missingSecretText(id: string, given: readonly string[]): string {
  return (
    `the build requires the secret "${id}" (RUN --mount=type=secret,id=${id},required=true) and runner-kit was given none by that id` +
    (given.length > 0 ? ` (it has: ${given.join(", ")})` : "") +
    `; give it with --secret id=${id},src=FILE or --secret id=${id},env=VAR, or secrets: { ${id}: … } in runner-kit.yaml`
  );
}

/**
 * A build error caused by a required secret nobody gave, told with its id and how to give
 * it; any other error unchanged. BuildKit says "secret <id> not found" (older) or
 * "secret <id>: not found".
 */
export function explainMissingSecret(error: string, missing: ReadonlySet<string>, given: readonly string[]): string {
  for (const id of missing) {
    if (error.includes(`secret ${id} not found`) || error.includes(`secret ${id}: not found`)) return `${missingSecretText(id, given)} (the daemon said: ${error})`;
  }
  return error;
}

async function secretValue(id: string, options: SecretsServiceOptions): Promise<Buffer> {
  const source = Object.hasOwn(options.secrets, id) ? options.secrets[id] : undefined;
  if (!source) {
    options.missing?.add(id);
    throw new SessionCallError(GrpcCode.notFound, missingSecretText(id, Object.keys(options.secrets)));
  }
  if ("file" in source) {
    try {
      return await (options.readFile ?? readFile)(source.file);
    } catch (error) {
      const why = (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));
      throw new SessionCallError(GrpcCode.failedPrecondition, `cannot read the file ${source.file} for the build secret "${id}" (${why})`);
    }
  }
  const value = options.env[source.env];
  if (value === undefined) {
    throw new SessionCallError(GrpcCode.failedPrecondition, `the build secret "${id}" comes from the environment variable ${source.env}, which is not set`);
  }
  return Buffer.from(value, "utf8");
}

export function secretsMethods(options: SecretsServiceOptions): SessionMethod[] {
  return [
    {
      path: "/moby.buildkit.secrets.v1.Secrets/GetSecret",
      request: "GetSecretRequest",
      response: "GetSecretResponse",
      async handle(request) {
        const data = await secretValue(String(request.ID ?? ""), options);
        const text = data.toString("utf8");
        options.secretSet?.add(text);
        options.secretSet?.add(text.trim());
        return { data };
      },
    },
  ];
}
