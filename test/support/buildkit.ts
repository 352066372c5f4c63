import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import { afterAll, beforeAll } from "vitest";
import type { RegistryCredential } from "../../src/auth/types.js";
import { BuildKitBuilder, type BuildKitBuilderOptions } from "../../src/builder/buildkit/buildkit-builder.js";
import { listContextFiles } from "../../src/builder/context-files.js";
import type { BuildOutcome, BuildRequest } from "../../src/builder/image-builder.js";
import { SecretSet } from "../../src/common/secrets.js";
import { pushTag } from "../../src/push/push.js";
import { PrivateDaemon } from "./private-daemon.js";
import { packDirectory } from "./tar.js";
import type { TestRegistry } from "./registry.js";

/** A build context directory holding `files` (name → content). */
export function contextDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "rk-bk-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

/** The credential a test registry's resolver answers with (the source names the registry). */
export function credentialFor(registry: TestRegistry, password = registry.password): RegistryCredential {
  return { registry: registry.host, username: registry.username, password, serverAddress: registry.host, source: `test credentials of ${registry.host}` };
}

/** resolveAuth over test registries: by the host of an image reference or a bare host; records what it was asked. */
export function registryResolver(credentials: RegistryCredential[], asked: string[] = []): BuildRequest["resolveAuth"] {
  return async (imageOrHost) => {
    asked.push(imageOrHost);
    const host = imageOrHost.split("/", 1)[0]!;
    return credentials.find((c) => c.registry === host);
  };
}

export interface BuildKitRun {
  outcome: BuildOutcome;
  lines: string[];
  secretSet: SecretSet;
}

/** One BuildKitBuilder build of a context directory, collecting its lines. */
export async function buildWithBuildKit(
  docker: Docker,
  dir: string,
  request: Partial<BuildRequest> & Pick<BuildRequest, "tags">,
  options: { env?: NodeJS.ProcessEnv; onLine?: (line: string) => void; builder?: Omit<BuildKitBuilderOptions, "env" | "secretSet"> } = {},
): Promise<BuildKitRun> {
  const secretSet = new SecretSet();
  const lines: string[] = [];
  const builder = new BuildKitBuilder(docker, { ...options.builder, secretSet, env: options.env ?? {} });
  const outcome = await builder.build(
    {
      context: { dir, entries: (await listContextFiles(dir)).entries },
      dockerfile: readFileSync(join(dir, "Dockerfile"), "utf8"),
      buildArgs: {},
      baseImages: [],
      resolveAuth: async () => undefined,
      ...request,
    },
    (line) => {
      lines.push(line);
      options.onLine?.(line);
    },
  );
  return { outcome, lines, secretSet };
}

/** Put a small image into a test registry (built classic from busybox, pushed, then removed locally so a build must pull it). */
export async function seedRegistryImage(docker: Docker, registry: TestRegistry, repository: string, marker: string): Promise<string> {
  const dir = contextDir({ Dockerfile: `FROM busybox:latest\nRUN echo ${marker} > /marker\n` });
  const ref = `${registry.host}/${repository}`;
  const stream = await docker.buildImage(packDirectory(dir), { t: `${ref}:1` });
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (error: unknown) => (error ? reject(error) : resolve())));
  await pushTag(docker, ref, "1", { auth: { username: registry.username, password: registry.password, serveraddress: registry.host }, attempts: 1 });
  await docker.getImage(`${ref}:1`).remove();
  return `${ref}:1`;
}

/**
 * A test file's own daemon (a fresh cache, as docker:dind in CI) with busybox:latest
 * loaded, started before the file's tests; it and the returned dirs are removed after them.
 */
export function privateDaemonForFile(): { daemon: PrivateDaemon; dirs: string[] } {
  const daemon = new PrivateDaemon();
  const dirs: string[] = [];
  beforeAll(async () => {
    await daemon.start();
    await daemon.loadFrom("busybox:latest", process.env.DOCKER_HOST);
  });
  afterAll(async () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await daemon.remove();
  });
  return { daemon, dirs };
}
