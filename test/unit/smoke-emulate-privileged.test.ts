import { describe, expect, it } from "vitest";
import { emulatePrivileged, missingCapabilities } from "../../src/smoke/executor/emulate-privileged.js";
import { isPrivilegeRefusal, privilegedRefused } from "../../src/smoke/executor/privileged.js";

describe("--emulate-privileged", () => {
  it("finds the capabilities a bounding set lacks, up to the kernel's last one", () => {
    // This project's VMs: every capability up to CHECKPOINT_RESTORE (40) but SYS_RESOURCE (24).
    expect(missingCapabilities("Name:\tnode\nCapBnd:\t000001fffeffffff\n", 40)).toEqual(["SYS_RESOURCE"]);
    expect(missingCapabilities("CapBnd:\t000000ffffffffff\n", 40)).toEqual(["CHECKPOINT_RESTORE"]);
    expect(missingCapabilities("CapBnd:\t000000ffffffffff\n", 39)).toEqual([]);
    expect(missingCapabilities("no status here", 40)).toEqual([]);
  });

  it("replaces Privileged with every capability the host has, unconfined, and a writable cgroup tree; leaves other containers alone", () => {
    expect(emulatePrivileged({ Privileged: true, Binds: ["v:/certs/client"], SecurityOpt: ["seccomp=unconfined"] }, ["SYS_RESOURCE"])).toEqual({
      CapAdd: ["ALL"], CapDrop: ["SYS_RESOURCE"], SecurityOpt: ["seccomp=unconfined", "apparmor=unconfined"], MaskedPaths: [], ReadonlyPaths: [],
      Binds: ["v:/certs/client", "/sys/fs/cgroup:/sys/fs/cgroup:rw"],
    });
    expect(emulatePrivileged({ Memory: 1 }, ["SYS_RESOURCE"])).toEqual({ Memory: 1 });
  });
});

describe("a host that refuses privileged containers", () => {
  const runc = new Error("(HTTP code 500) server error - failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: unable to apply caps: operation not permitted: unknown");

  it("becomes one paragraph naming the key, the runner config and what to do", () => {
    const e = privilegedRefused(runc, "the service docker:dind", "services_privileged", 'config.toml (runner "dind")');
    expect(e?.message).toBe(
      'the Docker daemon cannot start the service docker:dind privileged: the runner config sets services_privileged = true (or privileged = true) (config.toml (runner "dind")), ' +
        'and this host does not let a container have every capability (the daemon answered "unable to apply caps: operation not permitted"; it runs with a reduced capability bounding set, as in some VMs and unprivileged containers)',
    );
    expect(e?.exitCode).toBe(1);
    expect(e?.hint).toMatch(/--emulate-privileged/);
  });

  it("leaves every other start error as it is", () => {
    expect(isPrivilegeRefusal(new Error("exec: \"/no/such\": stat /no/such: no such file or directory"))).toBe(false);
    expect(privilegedRefused(new Error("port is already allocated"), "the job container", "privileged", undefined)).toBeUndefined();
  });
});
