/** JoinWatch: a service's addresses from the bridge's connect event, before its start returns. */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { EngineApi, EventFilters, NetworkInspect } from "../../src/engine/engine-api.js";
import { addressesIn, JoinWatch } from "../../src/smoke/executor/join-watch.js";

/** Pure logic only: an engine that has events and network inspects, nothing else. */
function engine(network: NetworkInspect, stream = new PassThrough()) {
  const asked: { filters: EventFilters }[] = [];
  const inspected: string[] = [];
  const docker = {
    getEvents: async (o: { filters: EventFilters }) => (asked.push(o), stream),
    getNetwork: (id: string) => ({ remove: async () => undefined, inspect: async () => (inspected.push(id), network) }),
  } as unknown as EngineApi;
  return { docker, stream, asked, inspected };
}

const connect = (container: string, network = "net1") =>
  `${JSON.stringify({ Type: "network", Action: "connect", Actor: { ID: network, Attributes: { container, name: "bridge", type: "bridge" } } })}\n`;

describe("addressesIn", () => {
  it("reads the container's v4 then v6 address without the prefix length", () => {
    const containers = { abc: { IPv4Address: "172.17.0.3/16", IPv6Address: "fd00::3/64" }, other: { IPv4Address: "172.17.0.4/16" } };
    expect(addressesIn(containers, "abc")).toEqual(["172.17.0.3", "fd00::3"]);
    expect(addressesIn({ abc: { IPv4Address: "172.17.0.3/16", IPv6Address: "" } }, "abc")).toEqual(["172.17.0.3"]);
    expect(addressesIn(containers, "missing")).toEqual([]);
    expect(addressesIn(null, "abc")).toEqual([]);
  });
});

describe("JoinWatch", () => {
  it("subscribes to the network's connect events and answers with the joined container's addresses", async () => {
    const e = engine({ Containers: { svc1: { IPv4Address: "172.17.0.7/16" } } });
    const watch = await JoinWatch.open(e.docker, "bridge");
    expect(e.asked).toEqual([{ filters: { type: ["network"], event: ["connect"], network: ["bridge"] } }]);
    const addresses = watch?.addresses("svc1");
    // Another container joining first, and an event split across chunks, change nothing.
    e.stream.write(connect("someone-else"));
    const line = connect("svc1", "bridge-id");
    e.stream.write(line.slice(0, 10));
    e.stream.write(line.slice(10));
    expect(await addresses).toEqual(["172.17.0.7"]);
    expect(e.inspected).toEqual(["bridge-id"]);
    watch?.close();
  });

  it("answers undefined when the network does not list the container, or once closed", async () => {
    const e = engine({ Containers: {} });
    const watch = (await JoinWatch.open(e.docker, "bridge")) as JoinWatch;
    const missing = watch.addresses("svc1");
    e.stream.write(connect("svc1"));
    expect(await missing).toBeUndefined();
    const pending = watch.addresses("svc2");
    watch.close();
    expect(await pending).toBeUndefined();
  });

  it("is not there for a client without events, or when the subscription fails", async () => {
    expect(await JoinWatch.open({} as EngineApi, "bridge")).toBeUndefined();
    const failing = { getEvents: async () => Promise.reject(new Error("(HTTP code 500) server error")) } as unknown as EngineApi;
    expect(await JoinWatch.open(failing, "bridge")).toBeUndefined();
  });

  it("does without when the daemon does not answer the subscription in time, and closes it if it comes later", async () => {
    const stream = new PassThrough();
    let answer: (s: PassThrough) => void = () => undefined;
    const slow = { getEvents: () => new Promise((resolve) => (answer = resolve)) } as unknown as EngineApi;
    expect(await JoinWatch.open(slow, "bridge", 10)).toBeUndefined();
    answer(stream);
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.destroyed).toBe(true);
  });
});
