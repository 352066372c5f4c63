import { usageError } from "../common/errors.js";

/** commander helper: repeatable options collect into an array. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `--build-arg`, repeatable: `NAME=VALUE` as given; `NAME` alone takes NAME's value from the
 * environment, as `docker build` does — but an unset NAME is an error here, where docker
 * silently drops the arg and the image gets the Dockerfile's default.
 */
export function collectBuildArg(env: NodeJS.ProcessEnv): (value: string, previous: string[]) => string[] {
  return (value, previous) => {
    if (value.includes("=") || !ARG_NAME.test(value)) return [...previous, value];
    const fromEnv = env[value];
    if (fromEnv === undefined) {
      throw usageError(`--build-arg ${value} takes its value from the environment, and ${value} is not set there`, {
        hint: `export ${value} before running runner-kit, or give the value: --build-arg ${value}=VALUE`,
      });
    }
    return [...previous, `${value}=${fromEnv}`];
  };
}
