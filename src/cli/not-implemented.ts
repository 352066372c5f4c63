import { usageError } from "../errors.js";

/** The only stub allowed: a command whose issue has not landed yet (exit 2). */
export function notImplemented(command: string): never {
  throw usageError(`'runner-kit ${command}' is not yet implemented in this version`, {
    hint: "see the README for the commands that work today",
  });
}
