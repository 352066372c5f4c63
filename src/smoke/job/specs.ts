/** The job's image, services and variables, read from their YAML nodes (GitLab's shapes). */
import { isMap, isScalar, isSeq, type Node } from "yaml";
import { checkKeys, node, optionalList, stringList, stringOf, type Ctx } from "./yaml-nodes.js";
import type { ImageSpec, PullPolicy, ServiceSpec } from "./types.js";
import type { VariableMap } from "./variables.js";

const PULL_POLICIES: readonly string[] = ["always", "never", "if-not-present"];

function pullPolicy(ctx: Ctx, n: Node | undefined): PullPolicy[] | undefined {
  if (n === undefined) return undefined;
  const list = stringList(ctx, n, "pull_policy");
  for (const p of list) {
    if (!PULL_POLICIES.includes(p)) ctx.fail(n, `unsupported pull_policy "${p}"`, "use always, never or if-not-present");
  }
  return list as PullPolicy[];
}

export function imageSpec(ctx: Ctx, n: Node | undefined): ImageSpec | undefined {
  if (n === undefined || (isScalar(n) && n.value === null)) return undefined;
  if (isScalar(n)) return { name: stringOf(ctx, n, "image") };
  if (!isMap(n)) ctx.fail(n, "image must be a string or a map with name, entrypoint, pull_policy");
  const spec: ImageSpec = { name: stringOf(ctx, node(n, "name"), "image:name") };
  const entrypoint = optionalList(ctx, node(n, "entrypoint"), "image:entrypoint");
  if (entrypoint) spec.entrypoint = entrypoint;
  const pp = pullPolicy(ctx, node(n, "pull_policy"));
  if (pp) spec.pullPolicy = pp;
  checkKeys(ctx, n, ["name", "entrypoint", "pull_policy", "docker", "kubernetes"], "image");
  const docker = node(n, "docker");
  if (docker !== undefined) {
    if (!isMap(docker)) ctx.fail(docker, "image:docker must be a map with user and platform");
    checkKeys(ctx, docker, ["user", "platform"], "image:docker");
    if (node(docker, "user") !== undefined) spec.user = stringOf(ctx, node(docker, "user"), "image:docker:user");
    if (node(docker, "platform") !== undefined) spec.platform = stringOf(ctx, node(docker, "platform"), "image:docker:platform");
  }
  return spec;
}

function serviceSpec(ctx: Ctx, n: Node): ServiceSpec {
  if (isScalar(n)) return { name: stringOf(ctx, n, "services entry"), variables: {} };
  if (!isMap(n)) ctx.fail(n, "each service must be a string or a map with name, alias, entrypoint, command, variables");
  const spec: ServiceSpec = { name: stringOf(ctx, node(n, "name"), "services:name"), variables: {} };
  const alias = node(n, "alias");
  if (alias !== undefined) spec.alias = stringOf(ctx, alias, "services:alias");
  const entrypoint = optionalList(ctx, node(n, "entrypoint"), "services:entrypoint");
  if (entrypoint) spec.entrypoint = entrypoint;
  const command = optionalList(ctx, node(n, "command"), "services:command");
  if (command) spec.command = command;
  const pp = pullPolicy(ctx, node(n, "pull_policy"));
  if (pp) spec.pullPolicy = pp;
  const vars = node(n, "variables");
  if (vars !== undefined) spec.variables = variables(ctx, vars, "services:variables").values;
  checkKeys(ctx, n, ["name", "alias", "entrypoint", "command", "variables", "pull_policy", "docker", "kubernetes"], "services entry");
  return spec;
}

export function services(ctx: Ctx, n: Node | undefined): ServiceSpec[] | undefined {
  if (n === undefined) return undefined;
  if (isScalar(n) && n.value === null) return [];
  if (!isSeq(n)) ctx.fail(n, "services must be a list");
  return n.items.map((item) => serviceSpec(ctx, item as Node));
}

export function variables(ctx: Ctx, n: Node | undefined, what: string): { values: VariableMap; noExpand: string[] } {
  const values: VariableMap = {};
  const noExpand: string[] = [];
  if (n === undefined || (isScalar(n) && n.value === null)) return { values, noExpand };
  if (!isMap(n)) ctx.fail(n, `${what} must be a map of NAME: value`);
  for (const pair of n.items) {
    const key = stringOf(ctx, pair.key as Node, `a name in ${what}`);
    const value = pair.value as Node | undefined;
    if (isMap(value)) {
      values[key] = value.get("value") === undefined ? "" : stringOf(ctx, node(value, "value"), `${what}:${key}:value`);
      if (value.get("expand") === false) noExpand.push(key);
    } else if (value === undefined || value === null || (isScalar(value) && value.value === null)) {
      values[key] = "";
    } else {
      values[key] = stringOf(ctx, value, `${what}:${key}`);
    }
  }
  return { values, noExpand };
}
