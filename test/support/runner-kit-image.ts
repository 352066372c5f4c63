/**
 * A runner-kit image of this checkout for tests that run generated jobs (`ci.install:
 * image`): the final stage of templates/runner-kit (Node 20, runner-kit on PATH) made from
 * the built dist/ and the production node_modules already here, because the template's
 * build stage needs the npm registry. Built once per content (dist, templates, smoke job,
 * package-lock) and found by its tag afterwards.
 */
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import type Docker from "dockerode";
import { readProgress } from "../../src/engine/progress.js";
import { ensureBaseImage } from "./images.js";
import { packDirectory } from "./tar.js";

const ROOT = join(import.meta.dirname, "..", "..");
const NODE_IMAGE = "node:20-bookworm";

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function contentTag(): string {
  const hash = createHash("sha256");
  const files = [join(ROOT, "package.json"), join(ROOT, "package-lock.json"), ...["dist", "templates", "smoke"].flatMap((d) => filesUnder(join(ROOT, d)))];
  for (const file of files.sort()) hash.update(relative(ROOT, file)).update("\0").update(readFileSync(file)).update("\0");
  return `runner-kit-test/runner-kit:${hash.digest("hex").slice(0, 12)}`;
}

/** The top-level packages runner-kit needs at run time (npm's own answer, read from node_modules). */
function productionPackages(): string[] {
  const out = execFileSync("npm", ["ls", "--omit=dev", "--parseable", "--all"], { cwd: ROOT, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  const top = out.split("\n").flatMap((line) => {
    const rel = relative(join(ROOT, "node_modules"), line.trim());
    const parts = rel.split("/");
    if (line.trim() === "" || rel.startsWith("..") || parts.includes("node_modules")) return [];
    return [parts[0]!.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!];
  });
  return [...new Set(top)];
}

/** The image's tag; built when the daemon does not have it yet (needs `npm run build` first). */
export async function ensureRunnerKitImage(docker: Docker): Promise<string> {
  const tag = contentTag();
  try {
    await docker.getImage(tag).inspect();
    return tag;
  } catch {
    // built below
  }
  await ensureBaseImage(docker, NODE_IMAGE);
  const dir = mkdtempSync(join(tmpdir(), "rk-runner-kit-image-"));
  try {
    const app = join(dir, "opt", "runner-kit");
    mkdirSync(join(app, "node_modules"), { recursive: true });
    for (const entry of ["package.json", "dist", "templates", "smoke"]) symlinkSync(join(ROOT, entry), join(app, entry));
    for (const pkg of productionPackages()) {
      mkdirSync(dirname(join(app, "node_modules", pkg)), { recursive: true });
      symlinkSync(join(ROOT, "node_modules", pkg), join(app, "node_modules", pkg));
    }
    writeFileSync(
      join(dir, "Dockerfile"),
      [
        `FROM ${NODE_IMAGE}`,
        "COPY opt /opt",
        "RUN chmod 0755 /opt/runner-kit/dist/cli/main.js && ln -s /opt/runner-kit/dist/cli/main.js /usr/local/bin/runner-kit && runner-kit --version \\",
        // The code cache, as templates/runner-kit makes it.
        " && runner-kit init /tmp/code-cache-warm-up >/dev/null \\",
        ' && (cd /tmp/code-cache-warm-up && runner-kit render && runner-kit lint && runner-kit ci --out child.yml; for c in build lock config; do runner-kit "$c" --help; done) >/dev/null \\',
        " && rm -rf /tmp/code-cache-warm-up",
        'CMD ["bash"]',
        "",
      ].join("\n"),
    );
    const stream = await docker.buildImage(packDirectory(dir, { dereference: true }), { t: tag, rm: true, forcerm: true, labels: { "io.runner-kit.test-fixture": "runner-kit" } });
    await readProgress(stream);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return tag;
}
