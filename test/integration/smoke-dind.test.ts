/**
 * A Docker-in-Docker job, as GitLab's docs write it: `services: [docker:dind]` under a
 * runner with `privileged = true` and the `/certs/client` volume, TLS on 2376. This host
 * refuses privileged containers, so the run uses --emulate-privileged. docker:dind is the
 * real image where it can be pulled, else the stand-in test/support/seed-dind.sh builds
 * (`.ci/run` runs it).
 */
import { afterAll, expect, it } from "vitest";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { expectLinesInOrder, project, smokeIn, uniqueRunId } from "../fixtures/smoke/helpers.js";

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

it("runs a job whose docker client talks to a docker:dind service over TLS with the shared /certs/client", async () => {
  const d = await docker();
  await d.getImage("docker:dind").inspect().catch(() => {
    throw new Error("docker:dind is not on this daemon: run `bash test/support/seed-dind.sh` (bash .ci/run does)");
  });
  const ci = [
    "dind:",
    "  image: docker:dind",
    "  services: [docker:dind]",
    "  variables:",
    "    DOCKER_HOST: tcp://docker:2376",
    "    DOCKER_TLS_CERTDIR: /certs",
    "    DOCKER_TLS_VERIFY: 1",
    "    DOCKER_CERT_PATH: /certs/client",
    "  script:",
    "    - ls /certs/client",
    "    - docker info --format 'server {{.ServerVersion}} tls {{.SecurityOptions}}' | sed 's/ tls .*name=seccomp.*/ tls ok/'",
    "",
  ].join("\n");
  const p = project(ci, { "config.toml": '[[runners]]\nname = "dind"\n[runners.docker]\nprivileged = true\nvolumes = ["/certs/client", "/cache"]\n' });
  cleanups.push(p.cleanup);
  const runId = uniqueRunId("dind");
  const r = await smokeIn(p.dir, runId, ["--job", ".gitlab-ci.yml", "--runner-config", "config.toml", "--emulate-privileged"]);
  await expectNoLeaks(runId);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/WARNING: --emulate-privileged: privileged containers get every capability this host has instead/);
  expectLinesInOrder(r.stderr, ["Starting service docker:dind ...", "$ ls /certs/client", "ca.pem", "cert.pem", "key.pem", "Job succeeded"]);
  expect(r.stderr).toMatch(/^server \d+\.\d+\.\d+\S* tls ok$/m);
  expect(r.stdout).toMatch(/^services: docker:dind as docker: ready in \d+\.\d\d s on port 237[56]$/m);
});
