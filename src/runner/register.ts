import { shellQuote } from "../common/shell-quote.js";

export interface Registration {
  name: string;
  url: string;
  image: string;
  /** Environment variable holding the runner authentication token. */
  tokenEnv: string;
  /** Template path relative to register.sh's directory. */
  template: string;
}

/**
 * register/register.sh: `gitlab-runner register --non-interactive` per runner. URL,
 * executor and image are flags because register re-reads them from flags even when the
 * template has them; the token comes from the environment at run time, never the file.
 * Extra arguments ("$@") go to every register call, e.g. --config /etc/gitlab-runner/config.toml.
 */
export function registerScript(registrations: Registration[]): string {
  const lines = [
    "#!/bin/sh",
    "# Written by `runner-kit config`. Registers the runners described in runner-kit.yaml with",
    "# gitlab-runner, using the template(s) beside this script. Needs gitlab-runner on PATH and",
    "# each runner's authentication token (glrt-…) in the environment variable named below.",
    "# Extra arguments are passed to every `gitlab-runner register` call.",
    "set -eu",
    'here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)',
    "",
  ];
  for (const r of registrations) {
    const message = `set ${r.tokenEnv} to the runner authentication token of ${r.name}`;
    lines.push(
      `: "\${${r.tokenEnv}:?${message.replace(/["`$\\}]/g, "")}}"`,
      "gitlab-runner register \\",
      "  --non-interactive \\",
      `  --url ${shellQuote(r.url)} \\`,
      `  --token "$${r.tokenEnv}" \\`,
      "  --executor docker \\",
      `  --docker-image ${shellQuote(r.image)} \\`,
      `  --template-config "$here"/${shellQuote(r.template)} \\`,
      `  --description ${shellQuote(r.name)} \\`,
      '  "$@"',
      "",
    );
  }
  return lines.join("\n");
}
