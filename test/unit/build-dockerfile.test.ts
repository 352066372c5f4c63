import { describe, expect, it } from "vitest";
import { dockerfileBases } from "../../src/dockerfile/from.js";
import { BuildEventTracker } from "../../src/builder/classic-events.js";
import { withLabelInstruction } from "../../src/dockerfile/labels.js";

describe("dockerfileBases", () => {
  it("finds external images, skips stage aliases and scratch, follows the final stage to its base", () => {
    const text = [
      "# syntax comment",
      "ARG BASE=debian:bookworm",
      "FROM --platform=linux/amd64 golang:1.22 AS Build",
      "RUN make \\",
      "  all",
      "FROM ${BASE} AS runtime",
      "FROM scratch AS empty",
      "FROM runtime",
      "COPY --from=build /x /x",
    ].join("\n");
    const bases = dockerfileBases(text);
    expect(bases.externalImages).toEqual(["golang:1.22", "debian:bookworm"]);
    expect(bases.stages.map((s) => s.alias)).toEqual(["build", "runtime", "empty", undefined]);
    expect(bases.finalBase).toBe("debian:bookworm");
  });

  it("lets build args override ARG defaults in FROM, and a target pick the final stage", () => {
    const text = "ARG BASE=debian:bookworm\nARG TAG\nFROM ${BASE} AS a\nFROM busybox:${TAG:-latest} AS b\n";
    expect(dockerfileBases(text, { BASE: "registry.local:5000/base:1" }).externalImages).toEqual(["registry.local:5000/base:1", "busybox:latest"]);
    expect(dockerfileBases(text, { TAG: "1.36" }, "a").finalBase).toBe("debian:bookworm");
    expect(dockerfileBases(text, { TAG: "1.36" }).finalBase).toBe("busybox:1.36");
  });

  it("expands earlier ARGs inside ARG defaults, as the rendered runner-aws Dockerfile needs", () => {
    const text = "ARG V=v17.3.0\nARG RUNNER=gitlab/gitlab-runner:${V}\nFROM ${RUNNER}\n";
    expect(dockerfileBases(text).finalBase).toBe("gitlab/gitlab-runner:v17.3.0");
    expect(dockerfileBases(text, { V: "v18.0.0" }).finalBase).toBe("gitlab/gitlab-runner:v18.0.0");
    expect(dockerfileBases(text, { RUNNER: "debian:bookworm" }).finalBase).toBe("debian:bookworm");
  });

  it("has no final base for a scratch image", () => {
    expect(dockerfileBases("FROM busybox AS b\nFROM scratch\nCOPY --from=b /bin/sh /sh\n").finalBase).toBeUndefined();
  });
});

describe("BuildEventTracker", () => {
  it("keeps the failing step and its last output lines when an errorDetail arrives", () => {
    const t = new BuildEventTracker();
    t.push({ stream: "Step 1/2 : FROM busybox\n" });
    t.push({ stream: " ---> abc123\n" });
    t.push({ stream: "Step 2/2 : RUN make\n" });
    t.push({ stream: " ---> Running in 0123456789ab\n" });
    t.push({ stream: "compiling" });
    t.push({ stream: " main.c\n\u001b[91merror: boom\n" });
    t.push({ stream: "\u001b[0mRemoving intermediate container 0123456789ab\n" });
    t.push({ errorDetail: { code: 2, message: "The command '/bin/sh -c make' returned a non-zero code: 2" }, error: "ignored legacy text" });
    const outcome = t.outcome();
    expect(outcome.error).toBe("The command '/bin/sh -c make' returned a non-zero code: 2");
    expect(outcome.failedStep).toBe("Step 2/2 : RUN make");
    expect(outcome.tail).toEqual(["compiling main.c", "error: boom"]);
    expect(outcome.imageId).toBeUndefined();
  });

  it("takes the image id from aux, and from 'Successfully built' on old daemons", () => {
    const a = new BuildEventTracker();
    a.push({ aux: { ID: "sha256:" + "a".repeat(64) } });
    a.push({ stream: "Successfully built aaaaaaaaaaaa\n" });
    expect(a.outcome()).toMatchObject({ imageId: "sha256:" + "a".repeat(64) });
    const b = new BuildEventTracker();
    expect(b.push({ stream: "Successfully built 0123456789ab\nSuccessfully tagged x:1\n" })).toEqual(["Successfully built 0123456789ab", "Successfully tagged x:1"]);
    expect(b.outcome().imageId).toBe("0123456789ab");
    expect(b.outcome().error).toBeUndefined();
  });

  it("lists the images the build committed, not the base image of a FROM nor the steps taken from the cache", () => {
    const t = new BuildEventTracker();
    t.push({ stream: "Step 1/5 : FROM busybox:latest\n ---> 111111111111\nStep 2/5 : RUN echo cached\n ---> Using cache\n ---> 222222222222\n" });
    t.push({ stream: "Step 3/5 : RUN echo new\n ---> Running in 0123456789ab\nnew\nRemoving intermediate container 0123456789ab\n ---> 333333333333\n" });
    t.push({ stream: "Step 4/5 : from busybox:latest AS two\n ---> 111111111111\nStep 5/5 : ENV A=1\n ---> Running in 0123456789ac\n ---> 444444444444\n" });
    expect(t.createdImages()).toEqual(["333333333333", "444444444444"]);
  });

  it("drops the daemon's 'build-args were not consumed' warning (args of stages a target leaves out), keeps other warnings", () => {
    const t = new BuildEventTracker();
    const lines = t.push({ stream: "[Warning] One or more build-args [ONLY_TWO] were not consumed\n[Warning] Your kernel does not support swap limit capabilities\nSuccessfully built 0123456789ab\n" });
    expect(lines).toEqual(["[Warning] Your kernel does not support swap limit capabilities", "Successfully built 0123456789ab"]);
    expect(t.outcome().tail).not.toContain("[Warning] One or more build-args [ONLY_TWO] were not consumed");
  });
});

describe("withLabelInstruction", () => {
  it("appends one LABEL to the last stage, escaping what the parser would expand", () => {
    const out = withLabelInstruction("FROM busybox\nRUN true", { b: 'say "$HOME"\\', a: "1" });
    expect(out).toBe('FROM busybox\nRUN true\nLABEL "a"="1" \\\n      "b"="say \\"\\$HOME\\"\\\\"\n');
  });

  it("puts it at the end of the target stage", () => {
    const out = withLabelInstruction("FROM busybox AS one\nRUN a\n\nFROM one AS two\nRUN b\n", { k: "v" }, "one");
    expect(out).toBe('FROM busybox AS one\nRUN a\n\nLABEL "k"="v"\nFROM one AS two\nRUN b\n');
  });

  it("continues a stage's closing LABEL instead of adding a step, keeping the template's own OCI keys", () => {
    const text = "FROM debian\nRUN true\nLABEL org.opencontainers.image.title=runner-aws \\\n      io.runner-kit.variant=wrong\n";
    const out = withLabelInstruction(text, { "org.opencontainers.image.title": "data/runner-aws", "io.runner-kit.variant": "data/runner-aws", "org.opencontainers.image.created": "T" });
    expect(out).toBe(
      'FROM debian\nRUN true\nLABEL org.opencontainers.image.title=runner-aws \\\n      io.runner-kit.variant=wrong \\\n      "io.runner-kit.variant"="data/runner-aws" \\\n      "org.opencontainers.image.created"="T"\n',
    );
  });
});
