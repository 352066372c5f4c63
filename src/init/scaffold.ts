import { RUNNER_KIT_IMAGE } from "../pipeline/ci-settings.js";
import { SCHEMA_MODELINE } from "../project/json-schema.js";

/** The registry the scaffold names (to be edited): its runner-kit image is ci.image. */
export const SCAFFOLD_REGISTRY = "registry.example.com/platform";

/**
 * The files `runner-kit init` writes: a complete repository that renders and lints clean as
 * it is — both built-in templates, one team with an overlay that overrides one section,
 * smoke jobs, and the pipeline that generates and runs the image jobs. `version` is this
 * runner-kit's: the pipeline's jobs run the runner-kit image of the same version.
 */
export function scaffoldFiles(version: string): Record<string, string> {
  const ciImage = `${SCAFFOLD_REGISTRY}/${RUNNER_KIT_IMAGE}:${version}`;
  return {
    "runner-kit.yaml": projectFile(ciImage),
    ".gitlab-ci.yml": parentPipeline(ciImage),
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

function projectFile(ciImage: string): string {
  return [
    // First line: editors with the YAML language server complete and check the file against the package's schema.
    SCHEMA_MODELINE,
    "# runner-kit project: images to render, build and push. See the README for every key.",
    `registry: ${SCAFFOLD_REGISTRY}`,
    "images:",
    "  runner-aws:",
    "    template: runner-aws",
    "    args:",
    "      GITLAB_RUNNER_VERSION: v17.3.0",
    "    values:",
    "      ecr:",
    "        # Your ECR registries: each gets a credHelpers entry in /root/.docker/config.json.",
    "        registries: [123456789012.dkr.ecr.eu-west-1.amazonaws.com]",
    "      packages: [jq]",
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
    ...ciSection(ciImage),
    "",
  ].join("\n");
}

/** The `ci:` section: how the jobs of the generated pipeline get runner-kit and a daemon. */
function ciSection(ciImage: string): string[] {
  return [
    "",
    "# How the jobs of the generated pipeline (`runner-kit ci`) get runner-kit and a Docker daemon.",
    "ci:",
    "  install: image                # runner-kit on PATH in ci.image (or npx, or package: see the README)",
    `  image: ${ciImage}   # runner-kit's own image, pushed to your registry`,
    "  tags: [privileged]            # runners with privileged = true: the docker:dind service needs it",
  ];
}

/**
 * The parent pipeline: `runner-kit ci` writes the child pipeline (one job per image variant,
 * only the images whose inputs changed on merge requests), which the next stage triggers.
 */
function parentPipeline(ciImage: string): string {
  return [
    "# Generate the pipeline that builds, smoke-tests and pushes every image variant, then run it.",
    "# Written by `runner-kit init`; the image jobs are configured by ci: in runner-kit.yaml.",
    "stages:",
    "  - generate",
    "  - build",
    "",
    "generate:",
    "  stage: generate",
    `  image: ${ciImage}   # the same runner-kit as ci.image`,
    "  variables:",
    '    GIT_DEPTH: "0"                # --changed-since needs the history',
    "  script:",
    "    - runner-kit render --check  # the committed Dockerfiles are a fresh render",
    "    - |",
    '      since=""',
    '      if [ -n "${CI_MERGE_REQUEST_DIFF_BASE_SHA:-}" ]; then since="--changed-since $CI_MERGE_REQUEST_DIFF_BASE_SHA"; fi',
    "      runner-kit ci --out child-pipeline.yml $since",
    "  artifacts:",
    "    paths:",
    "      - child-pipeline.yml",
    "",
    "build-images:",
    "  stage: build",
    "  needs: [generate]",
    "  trigger:",
    "    include:",
    "      - artifact: child-pipeline.yml",
    "        job: generate",
    "    strategy: depend",
    "",
  ].join("\n");
}
