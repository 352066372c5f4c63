/**
 * The session's `moby.buildkit.secrets.v1.Secrets` service: `RUN --mount=type=secret,id=…`
 * reads a build secret from a file or an environment variable, by id. Every value served
 * is registered with the SecretSet, so output that echoes it is redacted. An id nobody gave
 * fails the build naming the id (BuildKit would otherwise mount nothing and let the step
 * fail later on a missing file, or succeed without the secret).
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
}

async function secretValue(id: string, options: SecretsServiceOptions): Promise<Buffer> {
  const source = Object.hasOwn(options.secrets, id) ? options.secrets[id] : undefined;
  if (!source) {
    const known = Object.keys(options.secrets);
    throw new SessionCallError(
      GrpcCode.failedPrecondition,
      `the build asks for the secret "${id}" (RUN --mount=type=secret,id=${id}) and runner-kit was given none by that id` +
        (known.length > 0 ? ` (it has: ${known.join(", ")})` : "") +
        `; give it with --secret id=${id},src=FILE or --secret id=${id},env=VAR, or secrets: { ${id}: … } in runner-kit.yaml`,
    );
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
