/**
 * Why a registry refused a push or pull may be a credential helper that failed earlier:
 * GitLab Runner (and runner-kit) only warn and carry on without that source's
 * credentials, so the refusal itself names the registry, not the helper. This turns the
 * skipped sources into the sentence the failure ends with. Pure; never sees a secret (a
 * helper failure message never carries its output's credentials).
 */
import type { SkippedSource } from "./resolve.js";

function whatToDo(s: SkippedSource): string {
  const { helper, reason } = s;
  if (/ was not found on PATH$/.test(reason)) return `install ${helper} on the PATH runner-kit runs with, or fix the helper name`;
  if (/ is not executable$/.test(reason)) return `make ${helper} executable (chmod +x)`;
  if (/ printed something that is not /.test(reason)) return `run ${helper} by hand to see what it prints (it must answer in the docker-credential-helpers JSON protocol), or replace it`;
  if (/ did not answer within /.test(reason)) return `find out why ${helper} hangs (a login prompt, an unreachable token service), or log in with it before the build`;
  return `log in again with ${helper} or fix its configuration`;
}

/** One sentence naming every skipped helper, why, and what to do; undefined when none. */
export function describeSkippedSources(skipped: readonly SkippedSource[]): string | undefined {
  if (skipped.length === 0) return undefined;
  return skipped
    .map((s) => `credentials from ${s.source} were skipped because ${s.reason} (${whatToDo(s)}, or remove it from the credHelpers/credsStore of ${s.source} and give the credentials another way)`)
    .join("; ");
}
