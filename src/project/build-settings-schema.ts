import { z } from "zod";
import { parseImageReference } from "../reference/parse.js";

/**
 * The build settings an image or a team sets for BuildKit: build secrets (where their values
 * come from, never the values) and the registry cache. Strict like the rest of the schema.
 */

/** A secret id as `RUN --mount=type=secret,id=…` names it. */
export const SECRET_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `{ file: PATH }` (relative to the project file) or `{ env: VAR }`: exactly one. */
const secretSourceSchema = z
  .object({
    /** A file holding the secret, relative to runner-kit.yaml. */
    file: z.string().min(1).optional(),
    /** An environment variable holding the secret. */
    env: z.string().regex(ENV_NAME, "env: names an environment variable (letters, digits and _)").optional(),
  })
  .strict()
  // Only once the keys are right: a typo ("fil:") is reported as the typo, not also as "no source".
  .refine((s) => (s.file === undefined) !== (s.env === undefined), { message: "a secret comes from exactly one of file: PATH or env: VAR", when: (payload) => payload.issues.length === 0 });

export const secretsSchema = z.record(z.string().regex(SECRET_ID, "secret ids are letters, digits, _ . and - (the id of RUN --mount=type=secret,id=…)"), secretSourceSchema);

const imageRef = z.string().refine(
  (ref) => {
    try {
      parseImageReference(ref);
      return true;
    } catch {
      return false;
    }
  },
  { message: "not an image reference (host/path/name:tag)" },
);

/** `cache: { from: [refs], inline: bool }`: images whose layers a build may reuse, and inline cache metadata in the built image. */
export const cacheSchema = z
  .object({
    /** Images (usually the last pushed tag) a fresh daemon takes cached layers from. */
    from: z.array(imageRef).optional(),
    /** Write BuildKit's inline cache metadata into the image, so a later build can use it with cache-from. */
    inline: z.boolean().optional(),
  })
  .strict();

export type SecretsEntry = z.infer<typeof secretsSchema>;
export type CacheEntry = z.infer<typeof cacheSchema>;
