import { didYouMean as didYouMeanText } from "../common/nearest.js";

/**
 * The config.toml keys runner-kit passes through from runner-kit.yaml, by table, with the
 * TOML value kind gitlab-runner decodes (gitlab-runner 19.4 `common/config.go`; the full
 * record with its source is test/fixtures/runner/gitlab-runner-keys.json, and a unit test
 * checks this list against it). Keys runner-kit writes itself are "managed": the project
 * file sets them through first-class `runner:` fields instead.
 */
export type KeyKind =
  | "string"
  | "integer"
  | "boolean"
  | "string[]"
  | "string|string[]"
  | "map<string>"
  | "map<boolean>"
  | "map<string[]>"
  | "duration"
  | "table";

export type PassThroughTable = "global" | "runners" | "runners.docker";

function kinds(spec: Record<KeyKind, string>): Record<string, KeyKind> {
  const out: Record<string, KeyKind> = {};
  for (const [kind, keys] of Object.entries(spec) as [KeyKind, string][]) {
    for (const key of keys.split(/\s+/).filter(Boolean)) out[key] = kind;
  }
  return out;
}

const none = "";

/** Top-level keys other than concurrent, check_interval and [[runners]]. */
const globalKeys = kinds({
  string: "listen_address user log_level log_format sentry_dsn",
  integer: "shutdown_timeout",
  boolean: none,
  "string[]": none,
  "string|string[]": none,
  "map<string>": "labels",
  "map<boolean>": none,
  "map<string[]>": none,
  duration: "connection_max_age",
  table: "session_server machine experimental",
});

/** [[runners]] keys for a docker-executor runner, other than the managed ones. */
const runnersKeys = kinds({
  string:
    "tls-ca-file tls-cert-file tls-key-file builds_dir cache_dir clone_url pre_get_sources_script post_get_sources_script " +
    "pre_build_script post_build_script shell slot_cgroup_template step_runner_image",
  integer: "limit output_limit request_concurrency unhealthy_requests_limit job_status_final_update_retry_limit",
  boolean: "strict_check_interval proxy_exec debug_trace_disabled safe_directory_checkout clean_git_config use_slot_cgroups",
  "string[]": none,
  "string|string[]": none,
  "map<string>": "labels",
  "map<boolean>": "feature_flags",
  "map<string[]>": none,
  duration: "unhealthy_interval prepare_timeout get_sources_timeout",
  table: "experimental custom_build_dir cache artifact monitoring",
});

/** [runners.docker] keys other than the managed ones. */
const dockerKeys = kinds({
  string:
    "host tls_cert_path hostname runtime memory memory_swap memory_reservation cgroup_parent cpuset_cpus cpuset_mems cpus " +
    "user userns_mode gpus volume_driver cache_dir network_mode pid_mode ipcmode mac_address service_memory " +
    "service_memory_swap service_memory_reservation service_cgroup_parent service_slot_cgroup_template " +
    "service_cpuset_cpus service_cpus service_gpus isolation helper_image helper_image_flavor",
  integer: "cpu_shares oom_score_adjust services_limit service_cpu_shares wait_for_services_timeout shm_size network_mtu",
  boolean: "tls_verify services_privileged disable_entrypoint_overwrite oom_kill_disable disable_cache volume_keep enable_ipv6",
  "string[]":
    "dns dns_search allowed_users group_add cap_add cap_drop security_opt services_security_opt devices " +
    "device_cgroup_rules extra_hosts volumes_from links allowed_privileged_images allowed_privileged_services allowed_services",
  "string|string[]": none,
  "map<string>": "volume_driver_ops tmpfs services_tmpfs sysctls container_labels ulimit log_options",
  "map<boolean>": none,
  "map<string[]>": "services_devices",
  duration: none,
  table: none,
});

export const PASS_THROUGH_KEYS: Record<PassThroughTable, Record<string, KeyKind>> = {
  global: globalKeys,
  runners: runnersKeys,
  "runners.docker": dockerKeys,
};

/** Keys runner-kit writes itself, and the `runner:` field (or reason) that controls each. */
export const MANAGED_KEYS: Record<PassThroughTable, Record<string, string>> = {
  global: {
    concurrent: "set runner.concurrent",
    check_interval: "set runner.check_interval",
    runners: "runner-kit writes one [[runners]] entry per team",
  },
  runners: {
    name: "set runner.name",
    url: "set runner.url",
    executor: 'runner-kit writes executor = "docker"',
    environment: "set runner.environment",
    docker: "set runner.docker",
    token: "tokens come only from the environment: set runner.token_env to the variable's name",
    id: "gitlab-runner register fills it",
    token_obtained_at: "gitlab-runner register fills it",
    token_expires_at: "gitlab-runner register fills it",
    ssh: "runner-kit writes docker-executor runners only",
    parallels: "runner-kit writes docker-executor runners only",
    virtualbox: "runner-kit writes docker-executor runners only",
    machine: "runner-kit writes docker-executor runners only",
    kubernetes: "runner-kit writes docker-executor runners only",
    custom: "runner-kit writes docker-executor runners only",
    autoscaler: "runner-kit writes docker-executor runners only",
    instance: "runner-kit writes docker-executor runners only",
    referees: "gitlab-runner register clears it",
  },
  "runners.docker": {
    image: "set runner.image (pinned by digest from runner-kit.lock)",
    services: "set runner.services",
    pull_policy: "set runner.pull_policy",
    allowed_pull_policies: "set runner.allowed_pull_policies",
    allowed_images: "set runner.allowed_images",
    volumes: "set runner.volumes",
    privileged: "set runner.privileged or runner.docker_in_docker",
  },
};

const DURATION = /^-?(\d+(\.\d*)?(ns|us|µs|ms|s|m|h))+$|^0$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const isStringArray = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === "string");

/** Does `value` have the TOML shape gitlab-runner decodes for `kind`? */
export function matchesKind(kind: KeyKind, value: unknown): boolean {
  switch (kind) {
    case "string":
      return typeof value === "string";
    case "integer":
      return typeof value === "number" && Number.isSafeInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "string[]":
      return isStringArray(value);
    case "string|string[]":
      return typeof value === "string" || isStringArray(value);
    case "map<string>":
      return isPlainObject(value) && Object.values(value).every((v) => typeof v === "string");
    case "map<boolean>":
      return isPlainObject(value) && Object.values(value).every((v) => typeof v === "boolean");
    case "map<string[]>":
      return isPlainObject(value) && Object.values(value).every(isStringArray);
    case "duration":
      return typeof value === "string" && DURATION.test(value);
    case "table":
      return isPlainObject(value);
  }
}

export function describeKind(kind: KeyKind): string {
  switch (kind) {
    case "string[]":
      return "a list of strings";
    case "string|string[]":
      return "a string or a list of strings";
    case "map<string>":
      return "a mapping of strings";
    case "map<boolean>":
      return "a mapping of booleans";
    case "map<string[]>":
      return "a mapping of string lists";
    case "duration":
      return 'a Go duration such as "15m0s" or "30s"';
    case "table":
      return "a mapping";
    case "integer":
      return "an integer";
    case "boolean":
      return "true or false";
    case "string":
      return "a string";
  }
}

/** Why `key: value` cannot go into `table`, or undefined when it can. */
export function checkPassThrough(table: PassThroughTable, key: string, value: unknown): string | undefined {
  const managed = MANAGED_KEYS[table][key];
  if (managed !== undefined) return `"${key}" is written by runner-kit in [${table}]: ${managed}`;
  const kind = PASS_THROUGH_KEYS[table][key];
  if (kind === undefined) {
    const candidates = [...Object.keys(PASS_THROUGH_KEYS[table]), ...Object.keys(MANAGED_KEYS[table])];
    return `"${key}" is not a key gitlab-runner reads in [${table}]${didYouMeanText(key, candidates)}`;
  }
  if (!matchesKind(kind, value)) return `"${key}" in [${table}] must be ${describeKind(kind)}`;
  return undefined;
}
