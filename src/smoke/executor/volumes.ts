/**
 * The runner config's `volumes`, as GitLab Runner's volumes manager gives them to the job
 * container and to every service (the same Binds):
 *   - "/host:/path[:mode]" — a host bind (the Docker socket, /sys/fs/cgroup…), as written;
 *   - "name:/path[:mode]"  — a named volume, as written (Docker makes it when missing and
 *     keeps it, as on the runner host);
 *   - "/path"              — a volume of this run: created labelled, mounted at /path in the
 *     job and the services (so dind's /certs/client is shared), removed at cleanup. The
 *     runner keeps such a volume between jobs as its cache unless disable_cache is set;
 *     smoke starts every run with an empty one, as a fresh runner host does.
 * Pure: the names of the run's volumes come from `nameVolume`.
 */
import { configError } from "../../common/errors.js";

export interface PlannedVolumes {
  /** The Binds every container of the job gets. */
  binds: string[];
  /** Volumes this run creates (and removes). */
  create: { name: string; target: string }[];
}

export function planVolumes(volumes: string[], nameVolume: (target: string) => string, where: string): PlannedVolumes {
  const out: PlannedVolumes = { binds: [], create: [] };
  for (const spec of volumes) {
    const parts = spec.split(":");
    if (parts.some((p) => p === "") || parts.length > 3 || !(parts.length === 1 ? parts[0] : parts[1])?.startsWith("/")) {
      throw configError(`[runners.docker] volumes entry "${spec}" is not a volume`, {
        where,
        hint: 'write "/path" (a volume of the job), "/host/path:/path[:ro]" (a host bind) or "name:/path[:ro]" (a named volume)',
      });
    }
    if (parts.length > 1) {
      out.binds.push(spec);
      continue;
    }
    const target = parts[0] as string;
    const name = nameVolume(target);
    out.create.push({ name, target });
    out.binds.push(`${name}:${target}`);
  }
  return out;
}
