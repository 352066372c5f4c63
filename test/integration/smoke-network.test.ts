/**
 * Scenario tests, network modes: the job's network chosen as GitLab Runner chooses it, with
 * real containers. A busybox service (`web`) reports what it can reach — the Redis service
 * (`cache`) and the job container (`build`) — and the job reads the report over HTTP.
 */
import { afterAll, describe, expect, inject, it } from "vitest";
import { connectEngine } from "../../src/engine/client.js";
import type { EngineApi } from "../../src/engine/engine-api.js";
import { runLabels } from "../../src/engine/labels.js";
import { JoinWatch } from "../../src/smoke/executor/join-watch.js";
import { docker } from "../support/docker.js";
import { expectNoLeaks } from "../support/leaks.js";
import { expectLinesInOrder, project, smokeIn, uniqueRunId } from "../fixtures/smoke/helpers.js";

const { job, redis, http } = inject("fixtures");
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

/**
 * `web` serves at once (its port is what the readiness wait checks), then tries for up to
 * TRIES × 0.1 s to reach `cache` and to resolve `build`, and serves the verdict as /r.txt.
 */
const probe = [
  "mkdir -p /w && echo up > /w/index.html && httpd -p 8080 -h /w",
  'c=isolated; i=0; while [ $i -lt $TRIES ]; do if nc cache 6379 -e true </dev/null 2>/dev/null; then c=reached; break; fi; i=$((i+1)); sleep 0.1; done',
  'b=unresolved; i=0; while [ $i -lt $TRIES ]; do nc build 1 -e true </dev/null 2>/tmp/e; if ! grep -q "bad address" /tmp/e; then b=resolved; break; fi; i=$((i+1)); sleep 0.1; done',
  'echo "cache:$c build:$b" > /w/r.txt',
  "exec sleep 600",
].join("\n");

function ci(tries: number, extra: string[] = []): string {
  return [
    "t:",
    `  image: ${job}`,
    ...extra,
    "  services:",
    `    - name: ${redis}`,
    "      alias: cache",
    `    - name: ${http}`,
    "      alias: web",
    '      entrypoint: ["/bin/sh", "-c"]',
    `      command: [${JSON.stringify(probe)}]`,
    "      variables:",
    `        TRIES: "${tries}"`,
    "  script:",
    "    - redis-cli -h cache ping",
    '    - for i in $(seq 1 150); do wget -qO- http://web:8080/r.txt 2>/dev/null && break; sleep 0.1; done',
    "    - 'echo \"network name: [${CI_BUILD_NETWORK_NAME:-}]\"'",
    "    - grep -E '\\scache$' /etc/hosts || echo 'cache is not in /etc/hosts'",
    "",
  ].join("\n");
}

async function run(name: string, text: string, files: Record<string, string> = {}, args: string[] = []) {
  const p = project(text, files);
  cleanups.push(p.cleanup);
  const runId = uniqueRunId(name);
  const result = await smokeIn(p.dir, runId, ["--job", ".gitlab-ci.yml", ...args]);
  await expectNoLeaks(runId);
  return result;
}

describe.concurrent("smoke: network modes", () => {
  it("runs on the default bridge by default: the job reaches services by alias and id through /etc/hosts, services reach nothing", async () => {
    const r = await run("net-default", ci(10, [
      "  after_script:",
      // The first 12-hex-digit host name in /etc/hosts is the first service's (Redis) container id.
      "    - redis-cli -h \"$(grep -Eo '\\s[0-9a-f]{12}$' /etc/hosts | head -n1 | tr -d '[:space:]')\" ping",
    ]));
    expect(r.code, r.stderr).toBe(0);
    expectLinesInOrder(r.stderr, ["$ redis-cli -h cache ping", "PONG", "cache:isolated build:unresolved", "network name: []"]);
    expect(r.stderr).toMatch(new RegExp(`^Service ${redis.replace(/[.]/g, "\\.")} is ready on port 6379 after`, "m"));
    // The link entry points into the default bridge's subnet: no network was made for the job.
    const bridge = await (await docker()).getNetwork("bridge").inspect();
    const subnet = String(bridge.IPAM?.Config?.[0]?.Subnet).split(".").slice(0, 2).join(".");
    expect(r.stderr).toMatch(new RegExp(`^${subnet.replace(/\./g, "\\.")}\\.\\d+\\.\\d+\\s+cache$`, "m"));
    // after_script reached Redis by its 12-character container id.
    expectLinesInOrder(r.stderr, ["Running after_script", "PONG"]);
  });

  it("gives the job a network of its own with FF_NETWORK_PER_BUILD: services reach each other and the job as `build`", async () => {
    const r = await run("net-perbuild", ci(100, ["  variables:", '    FF_NETWORK_PER_BUILD: "true"']));
    expect(r.code, r.stderr).toBe(0);
    expectLinesInOrder(r.stderr, ["$ redis-cli -h cache ping", "PONG", "cache:reached build:resolved", "cache is not in /etc/hosts"]);
    expect(r.stderr).toMatch(/^network name: \[rk-smoke-t-net-perbuild-[0-9a-f]+-[0-9a-f]{8}-network\]$/m);
    expect(r.stderr).toMatch(new RegExp(`^Service ${redis.replace(/[.]/g, "\\.")} is ready on port 6379 after`, "m"));
  });

  it("stays on the default bridge when the job names the flag but sets it false, leaving no network behind", async () => {
    const r = await run("net-off", ci(10, ["  variables:", '    FF_NETWORK_PER_BUILD: "false"']));
    expect(r.code, r.stderr).toBe(0);
    expectLinesInOrder(r.stderr, ["cache:isolated build:unresolved", "network name: []"]);
  });

  it("takes the flag from a --runner-config environment, and network_mode from its [runners.docker], leaving that network in place", async () => {
    const d = await docker();
    const netRun = uniqueRunId("net-mode-net");
    const name = `rk-test-${netRun}`;
    const net = await d.createNetwork({ Name: name, Labels: runLabels(netRun) });
    try {
      const flagged = await run("net-env", ci(100), {
        "config.toml": '[[runners]]\nenvironment = ["FF_NETWORK_PER_BUILD=true"]\n[runners.docker]\nimage = "x"\n',
      }, ["--runner-config", "config.toml"]);
      expect(flagged.code, flagged.stderr).toBe(0);
      expectLinesInOrder(flagged.stderr, ["cache:reached build:resolved"]);
      expect(flagged.stderr).toMatch(/^network name: \[rk-smoke-t-net-env-/m);

      const named = await run("net-named", ci(100), {
        "config.toml": `[[runners]]\n[runners.docker]\nnetwork_mode = "${name}"\n`,
      }, ["--runner-config", "config.toml"]);
      expect(named.code, named.stderr).toBe(0);
      expectLinesInOrder(named.stderr, ["cache:reached build:resolved", "network name: []", "cache is not in /etc/hosts"]);
      // network_mode's network is the runner's, not the run's: it is still there, and empty.
      expect(Object.keys((await net.inspect()).Containers ?? {})).toEqual([]);
    } finally {
      await net.remove();
    }
  });
});

describe("smoke: service addresses on the default bridge", () => {
  // Default mode creates the job container (its link entries) from the address the service
  // gets when it joins the bridge, before its start returns: it must be the address it keeps.
  it("tells a container's address from its join of the bridge, the one its inspect shows once started (thin client and dockerode)", async () => {
    const runId = uniqueRunId("join-watch");
    const clients: [string, EngineApi][] = [["thin client", (await connectEngine(process.env)).engine], ["dockerode", await docker()]];
    for (const [name, engine] of clients) {
      const container = await engine.createContainer({ Image: http, Cmd: ["sleep", "30"], Labels: runLabels(runId) });
      try {
        const watch = await JoinWatch.open(engine, "bridge");
        expect(watch, name).toBeDefined();
        const told = watch?.addresses(container.id);
        await container.start();
        const inspect = await container.inspect();
        const late = new Promise((resolve) => setTimeout(() => resolve("no join event within 20 s"), 20_000).unref());
        expect(await Promise.race([told, late]), name).toEqual([inspect.NetworkSettings?.IPAddress]);
        watch?.close();
      } finally {
        await container.remove({ force: true, v: true });
      }
    }
    await expectNoLeaks(runId);
  });
});
