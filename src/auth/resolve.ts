import { notImplemented } from "../cli/not-implemented.js";
import type { AuthSource, RegistryCredential, ResolveAuthOptions } from "./types.js";

/** STUB (build issue): GitLab Runner's registry credential resolution. */
export async function resolveRegistryAuth(
  _image: string,
  _sources: AuthSource[],
  _options?: ResolveAuthOptions,
): Promise<RegistryCredential | undefined> {
  notImplemented("build");
}
