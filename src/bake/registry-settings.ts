import { insecureRegistryPredicate, type RegistryInfo } from "../engine/insecure-registries.js";

/**
 * The daemon's registry settings (`GET /info`: whether it talks plain HTTP to a registry),
 * asked once per run. With --push every selected variant's registry is asked (is it up to
 * date?) before anything builds, and that first request waits for them: so with --push they
 * are asked as soon as the daemon's ping has answered, while the credentials are resolved,
 * instead of after them. Without --push nothing is asked until needed: an up-to-date local
 * build contacts no registry, and `GET /info` is slow on some daemons.
 */
export interface RegistrySettings {
  /** Whether the daemon talks plain HTTP to this registry domain. */
  insecureRegistry(domain: string): Promise<boolean>;
  /** After the ping: ask now when `early`. A failure is reported where the answer is awaited. */
  prefetch(): void;
}

export function registrySettings(engine: { info(): Promise<RegistryInfo> }, early: boolean): RegistrySettings {
  let insecure: Promise<(domain: string) => boolean> | undefined;
  const settings = () => (insecure ??= engine.info().then((info) => insecureRegistryPredicate(info)));
  return {
    insecureRegistry: async (domain) => (await settings())(domain),
    prefetch: () => {
      // Marked handled here; the same promise still rejects where it is awaited.
      if (early) settings().catch(() => undefined);
    },
  };
}
