/** The parts of `GET /info` that decide whether the daemon talks plain HTTP to a registry. */
export interface RegistryInfo {
  RegistryConfig?: {
    InsecureRegistryCIDRs?: string[] | null;
    IndexConfigs?: Record<string, { Secure?: boolean }> | null;
  } | null;
}

function ipv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function inCidr(ip: number, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  const start = ipv4(base ?? "");
  const n = Number(bits);
  if (start === undefined || !Number.isInteger(n) || n < 0 || n > 32) return false;
  const size = 2 ** (32 - n);
  return Math.floor(ip / size) === Math.floor(start / size);
}

/**
 * The daemon's own rule, as far as it can be decided without DNS: a registry is insecure
 * when its index config says so, or its (IPv4 or localhost) address falls in an insecure
 * CIDR (127.0.0.0/8 by default).
 */
export function insecureRegistryPredicate(info: RegistryInfo): (domain: string) => boolean {
  const cidrs = info.RegistryConfig?.InsecureRegistryCIDRs ?? ["127.0.0.0/8"];
  const indexes = info.RegistryConfig?.IndexConfigs ?? {};
  return (domain) => {
    const index = indexes[domain];
    if (index && index.Secure !== undefined) return !index.Secure;
    const host = domain.replace(/:\d+$/, "");
    const ip = ipv4(host === "localhost" ? "127.0.0.1" : host);
    return ip !== undefined && cidrs.some((c) => inCidr(ip, c));
  };
}
