// bench/pipeline's floor of the design: the same child pipeline with each image job's
// `runner-kit build --push --smoke` replaced by the docker CLI doing the same work in a job
// image that has it (docker:27-dind's, entrypoint cleared), in the same docker:dind service:
// `docker login` with the same credentials, `docker build` of the rendered Dockerfile with
// the variant's build args, tags and the same registry cache (--cache-from the :latest tag,
// inline cache), `docker run` of the smoke job's script, `docker push` of every tag. Each job
// keeps one artifact (the pushed digest) where runner-kit's keeps its lock fragment; the
// publish job lists them (the CLI has no `lock merge`). Lint is runner-kit's, unchanged.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { isMap, parse, parseDocument } from "yaml";
import { loadPlan } from "../../src/project/load.js";
import type { Variant } from "../../src/project/plan.js";

/** Quote for a POSIX shell: single quotes, embedded ones closed and escaped. */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The script of the variant's smoke job (its file's only or named job). */
function smokeScript(variant: Variant): string[] {
  const doc = parse(readFileSync(variant.smoke!.file, "utf8")) as Record<string, { script?: string[]; before_script?: string[] }>;
  const job = doc[variant.smoke!.job ?? Object.keys(doc).find((k) => !["stages", "variables", "default", "image", "services"].includes(k))!]!;
  return [...(job.before_script ?? []), ...(job.script ?? [])];
}

/** The docker CLI lines of one variant's image job. */
export function dockerCliScript(project: string, registryHost: string, variant: Variant, slug: string): string[] {
  const tags = variant.tags.map((t) => `${variant.repository}:${t}`);
  const latest = `${variant.repository}:latest`;
  const args = Object.entries(variant.args).map(([k, v]) => `--build-arg ${q(`${k}=${v}`)}`);
  return [
    `printf '%s' "$RUNNER_KIT_REGISTRY_PASSWORD" | docker login -u "$RUNNER_KIT_REGISTRY_USER" --password-stdin ${registryHost}`,
    [
      "DOCKER_BUILDKIT=1 docker build",
      `-f ${q(relative(project, variant.dockerfile))}`,
      ...args,
      `--cache-from ${latest} --build-arg BUILDKIT_INLINE_CACHE=1`,
      ...tags.map((t) => `-t ${t}`),
      q(relative(project, variant.context) || "."),
    ].join(" "),
    `docker run --rm ${tags[0]} sh -c ${q(smokeScript(variant).join("\n"))}`,
    ...tags.map((t) => `docker push ${t}`),
    `mkdir -p digests && docker image inspect --format '{{index .RepoDigests 0}}' ${tags[0]} > digests/${slug}.txt`,
  ];
}

/**
 * Rewrite the child pipeline at `from` (written by `runner-kit ci`) into `to`: every
 * `build:<variant>` job runs `dockerCliScript` in docker:27-dind's image; publish lists the digests.
 */
export async function writeDockerCliPipeline(project: string, registryHost: string, text: string): Promise<string> {
  const plan = await loadPlan({ cwd: project });
  const doc = parseDocument(text);
  for (const item of (doc.contents as { items: { key: { value: string }; value: unknown }[] }).items) {
    const name = item.key.value;
    if (!isMap(item.value)) continue;
    const variant = plan.variants.find((v) => `build:${v.id}` === name);
    if (variant) {
      const slug = variant.id.replace(/\//g, "__");
      item.value.set("image", doc.createNode({ name: "docker:27-dind", entrypoint: [""] }));
      item.value.set("before_script", doc.createNode([]));
      item.value.set("script", doc.createNode(dockerCliScript(project, registryHost, variant, slug)));
      item.value.set("artifacts", doc.createNode({ paths: [`digests/${slug}.txt`] }));
    } else if (name.endsWith(":publish")) {
      item.value.set("script", doc.createNode(["cat digests/*.txt"]));
      item.value.set("artifacts", doc.createNode({ paths: ["digests/"] }));
    }
  }
  return doc.toString();
}
