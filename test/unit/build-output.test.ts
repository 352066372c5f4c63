import { describe, expect, it } from "vitest";
import { gitlabReporter, plainReporter, ttyReporter } from "../../src/bake/reporters.js";
import { imageLabels, vcsFromEnv } from "../../src/builder/image-labels.js";
import type { PreparedVariant } from "../../src/bake/types.js";
import { summaryDocument, summaryTable } from "../../src/bake/summary.js";
import type { VariantResult } from "../../src/bake/types.js";
import { insecureRegistryPredicate } from "../../src/engine/insecure-registries.js";

const built: VariantResult = { id: "runner-aws", repository: "r:5000/p/runner-aws", tags: ["v1", "latest"], status: "built", durationMs: 12345, digest: `sha256:${"d".repeat(64)}`, pushed: true, baseImages: {} };
const failed: VariantResult = { id: "data/runner-aws", repository: "r:5000/p/data/runner-aws", tags: ["v1"], status: "failed", durationMs: 800, pushed: false, baseImages: {}, error: "step 3/9 : RUN make failed: exit 2", output: ["cc main.c", "error: boom"] };

describe("build output", () => {
  it("prints a summary table with every image, then each failure with its output", () => {
    const table = summaryTable([built, failed]);
    const lines = table.split("\n");
    expect(lines[0]).toMatch(/^IMAGE\s+TAGS\s+STATUS\s+DURATION\s+DIGEST$/);
    expect(lines[1]).toMatch(/^r:5000\/p\/runner-aws\s+v1,latest\s+built\s+12\.3 s\s+sha256:dddddddddddd…$/);
    expect(lines[2]).toMatch(/^r:5000\/p\/data\/runner-aws\s+v1\s+failed\s+0\.8 s\s+-$/);
    expect(table).toContain("data/runner-aws: step 3/9 : RUN make failed: exit 2\n  | cc main.c\n  | error: boom");
    expect(summaryDocument([built, failed])).toEqual({ ok: false, images: [built, failed] });
  });

  it("a failed push shows no local image id under DIGEST: it is not what the registry holds", () => {
    const pushFailed: VariantResult = { ...failed, imageId: `sha256:${"e".repeat(64)}`, error: "the registry refused the push" };
    const localOnly: VariantResult = { ...built, digest: undefined, pushed: false, imageId: `sha256:${"f".repeat(64)}` };
    const lines = summaryTable([localOnly, pushFailed]).split("\n");
    expect(lines[1]).toMatch(/built\s+12\.3 s\s+sha256:ffffffffffff…$/);
    expect(lines[2]).toMatch(/failed\s+0\.8 s\s+-$/);
    expect(lines.join("\n")).not.toContain("eeeeeeee");
  });

  it("writes GitLab collapsible sections, whole, per image", () => {
    const out: string[] = [];
    const r = gitlabReporter((l) => out.push(l), () => 1_700_000_000_000);
    r.start("data/runner-aws", "building");
    r.line("data/runner-aws", "Step 1/2 : FROM debian");
    r.start("runner-aws", "building");
    r.line("runner-aws", "Step 1/1 : FROM busybox");
    r.finish({ ...built, id: "runner-aws" });
    r.finish(failed);
    const text = out.join("\n");
    expect(text).toContain("\x1b[0Ksection_start:1700000000:runner_kit_runner-aws[collapsed=true]\r\x1b[0Krunner-aws: built and pushed");
    expect(text).toContain("\x1b[0Ksection_start:1700000000:runner_kit_data_runner-aws\r\x1b[0Kdata/runner-aws: failed");
    const section = text.slice(text.indexOf("section_start:1700000000:runner_kit_runner-aws"), text.indexOf("section_end:1700000000:runner_kit_runner-aws"));
    expect(section).toContain("Step 1/1 : FROM busybox");
    expect(section).not.toContain("FROM debian");
  });

  it("prefixes plain lines with the image", () => {
    const out: string[] = [];
    const r = plainReporter((l) => out.push(l));
    r.line("x", "Step 1/1 : FROM busybox");
    r.finish({ ...built, id: "x", status: "up-to-date", pushed: false });
    expect(out).toEqual(["[x] Step 1/1 : FROM busybox", `[x] up to date in 12.3 s ${built.digest}`]);
  });

  it("knows which registries the daemon reaches over plain HTTP", () => {
    const insecure = insecureRegistryPredicate({ RegistryConfig: { InsecureRegistryCIDRs: ["127.0.0.0/8", "10.1.0.0/16"], IndexConfigs: { "docker.io": { Secure: true }, "reg.local:5000": { Secure: false } } } });
    expect(insecure("127.0.0.1:41234")).toBe(true);
    expect(insecure("localhost:5000")).toBe(true);
    expect(insecure("10.1.200.3:5000")).toBe(true);
    expect(insecure("10.2.0.1")).toBe(false);
    expect(insecure("reg.local:5000")).toBe(true);
    expect(insecure("registry.example.com")).toBe(false);
    expect(insecure("docker.io")).toBe(false);
  });
});

describe("live view and labels", () => {
  it("redraws one line per image in place on a terminal", () => {
    let out = "";
    const r = ttyReporter((t) => void (out += t), 60);
    r.start("a", "building");
    r.start("b", "building");
    r.line("a", "Step 2/5 : RUN apt-get update && apt-get install -y --no-install-recommends awscli jq");
    r.finish({ ...built, id: "b" });
    r.close();
    const frames = out.split("\x1b[2K");
    expect(frames.at(-2)).toBe("a  … Step 2/5 : RUN apt-get update && apt-get install -y --\n");
    expect(frames.at(-1)).toMatch(/^b {2}built and pushed in 12\.3 s sha256:d+\n$/);
    r.close();
    expect(out.split("\x1b[2A").length - 1).toBe(1);
  });

  it("labels images with OCI keys and runner-kit's own, CI variables before git", () => {
    const p = { variant: { id: "data/runner-aws", template: "runner-aws", tags: ["latest", "v17.3.0"] }, contentHash: "sha256:abc", finalBase: "docker.io/library/debian:bookworm" } as unknown as PreparedVariant;
    const vcs = vcsFromEnv({ CI_PROJECT_URL: "https://gitlab.example.com/platform/images", CI_COMMIT_SHA: "f00" }, { source: "git@x:y.git", revision: "bar" });
    expect(imageLabels(p, new Date("2026-01-02T03:04:05.678Z"), vcs)).toEqual({
      "org.opencontainers.image.created": "2026-01-02T03:04:05Z",
      "org.opencontainers.image.title": "data/runner-aws",
      "org.opencontainers.image.version": "v17.3.0",
      "org.opencontainers.image.source": "https://gitlab.example.com/platform/images",
      "org.opencontainers.image.revision": "f00",
      "org.opencontainers.image.base.name": "docker.io/library/debian:bookworm",
      "io.runner-kit.template": "runner-aws",
      "io.runner-kit.variant": "data/runner-aws",
      "io.runner-kit.content-hash": "sha256:abc",
    });
  });
});
