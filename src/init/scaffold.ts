import { SCHEMA_MODELINE } from "../project/json-schema.js";

/**
 * The files `runner-kit init` writes: a project that renders and lints clean as it is —
 * both built-in templates, one team with an overlay that overrides one section, and a
 * smoke job.
 */
export function scaffoldFiles(): Record<string, string> {
  return {
    "runner-kit.yaml": projectFile(),
    "teams/data/job-base/extra.hbs": [
      "{{!-- The data team overrides one section of the job-base template: \"extra\", the end of the",
      "     final stage. {{> @partial-block}} would keep the template's own content. --}}",
      "ENV PGCONNECT_TIMEOUT=10",
      "",
    ].join("\n"),
    "smoke/job-base.gitlab-ci.yml": [
      "# Smoke job for job-base: run inside the built image the way the Docker executor runs jobs.",
      "smoke:",
      "  script:",
      "    - bash --version",
      "    - git --version",
      "    - grep --version",
      "",
    ].join("\n"),
    "smoke/runner-aws.gitlab-ci.yml": [
      "# Smoke job for runner-aws: the AWS CLI and the ECR credential helper work.",
      "smoke:",
      "  script:",
      "    - aws --version",
      "    - docker-credential-ecr-login version",
      "    - cat /root/.docker/config.json",
      "",
    ].join("\n"),
  };
}

/**
 * The gitlab-runner section `runner-kit config` writes from. It runs with no environment
 * set: the registry password is optional here, and the token comes from RUNNER_TOKEN
 * only when it is set.
 */
function runnerSection(): string[] {
  return [
    "",
    "# gitlab-runner configuration written by `runner-kit config` (see the README).",
    "runner:",
    "  url: https://gitlab.example.com",
    "  image: job-base                # the job image: pinned by digest once pushed",
    "  concurrent: 4",
    "  services:",
    "    - name: redis:7",
    "      alias: cache",
    "  registries:",
    "    - host: registry.example.com",
    "      username: ci-pull",
    "      password_env: REGISTRY_PASSWORD  # never the password itself",
    "      optional: true                   # without it, config fails when REGISTRY_PASSWORD is unset",
  ];
}

function projectFile(): string {
  return [
    // First line: editors with the YAML language server complete and check the file against the package's schema.
    SCHEMA_MODELINE,
    "# runner-kit project: images to render, build and push. See the README for every key.",
    "registry: registry.example.com/platform",
    "images:",
    "  runner-aws:",
    "    template: runner-aws",
    "    args:",
    "      GITLAB_RUNNER_VERSION: v17.3.0",
    "    values:",
    "      ecr:",
    "        # Your ECR registries: each gets a credHelpers entry in /root/.docker/config.json.",
    "        registries: [123456789012.dkr.ecr.eu-west-1.amazonaws.com]",
    "    tags: [\"{{args.GITLAB_RUNNER_VERSION}}\", latest]",
    "    smoke: smoke/runner-aws.gitlab-ci.yml",
    "  job-base:",
    "    template: job-base",
    "    tags: [bookworm, latest]",
    "    smoke: smoke/job-base.gitlab-ci.yml",
    "teams:",
    "  data:",
    "    # Overrides of template sections: teams/data/<template>/<section>.hbs",
    "    templates: teams/data",
    "    values:",
    "      packages: [postgresql-client]",
    "    images: [job-base]",
    ...runnerSection(),
    "",
  ].join("\n");
}
