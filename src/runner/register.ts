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
 * template has them; each runner's token comes from its own environment variable at run
 * time, never the file. Every token is checked before anything is registered, and a
 * missing one is named with its runner, so a project with teams learns all the variables
 * it needs at once and never ends half registered. Extra arguments ("$@") go to every
 * register call, e.g. --config /etc/gitlab-runner/config.toml.
 */
export function registerScript(registrations: Registration[]): string {
  const lines = [
    "#!/bin/sh",
    "# Written by `runner-kit config`. Registers the runners described in runner-kit.yaml with",
    "# gitlab-runner, using the template(s) beside this script. Needs gitlab-runner on PATH and",
    "# each runner's authentication token (glrt-…) in its own environment variable:",
    ...registrations.map((r) => `#   ${r.tokenEnv}  ${r.name.replace(/[\r\n]/g, " ")}`),
    "# Extra arguments are passed to every `gitlab-runner register` call.",
    "set -eu",
    'here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)',
    "",
    "# Every token first: nothing is registered unless all of them are set.",
    "missing=",
  ];
  for (const r of registrations) {
    lines.push(`[ -n "\${${r.tokenEnv}:-}" ] || missing="$missing ${r.tokenEnv}"`);
  }
  const table = registrations.map((r) => `  ${r.tokenEnv}  the runner authentication token (glrt-…) of ${r.name}`);
  lines.push(
    'if [ -n "$missing" ]; then',
    `  echo ${shellQuote(`register.sh: set the runner authentication token of every runner (${registrations.length === 1 ? "one runner" : `${registrations.length} runners, one token each`}); nothing was registered.`)} >&2`,
    '  echo "Missing:$missing" >&2',
    ...table.map((line) => `  echo ${shellQuote(line)} >&2`),
    "  echo 'Create each runner in GitLab (Settings > CI/CD > Runners > New project runner) and export its token.' >&2",
    "  exit 2",
    "fi",
    "",
  );
  for (const r of registrations) {
    lines.push(
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
