/**
 * A host that refuses privileged containers. With `privileged = true` the daemon asks the
 * runtime for every capability; where the daemon itself lacks some (a VM or container with
 * a reduced capability bounding set) runc fails at start with "unable to apply caps". That
 * becomes one paragraph naming the runner config key and what to do, not the daemon's
 * runtime stack.
 */
import { failure, type RunnerKitError } from "../../common/errors.js";
import { errorMessage } from "./outcome.js";

export function isPrivilegeRefusal(error: unknown): boolean {
  return /unable to apply caps|operation not permitted.*(cap|privileg)/i.test(errorMessage(error));
}

/** The paragraph for a privileged container the host cannot start; undefined for any other error. */
export function privilegedRefused(error: unknown, container: string, key: "privileged" | "services_privileged", source: string | undefined): RunnerKitError | undefined {
  if (!isPrivilegeRefusal(error)) return undefined;
  const setting = key === "privileged" ? "privileged = true" : "services_privileged = true (or privileged = true)";
  return failure(
    `the Docker daemon cannot start ${container} privileged: the runner config sets ${setting}${source ? ` (${source})` : ""}, ` +
      "and this host does not let a container have every capability (the daemon answered \"unable to apply caps: operation not permitted\"; " +
      "it runs with a reduced capability bounding set, as in some VMs and unprivileged containers)",
    {
      hint:
        "run smoke on a host that can start privileged containers, as the fleet's runner hosts do; or pass --emulate-privileged to give " +
        "privileged containers every capability this host has instead (enough for docker:dind); or, when the job container needs only " +
        "some capabilities, set privileged = false and grant them with cap_add, cap_drop and security_opt (services get no cap_add: a service " +
        "that needs privileges, such as docker:dind, needs a host that allows privileged containers)",
      cause: error,
    },
  );
}
