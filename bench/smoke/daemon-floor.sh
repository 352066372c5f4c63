#!/usr/bin/env bash
# The daemon's floor for the bench job: the same Engine API calls every tool has to make
# (network create, two container creates and starts, wait, removals in parallel, network
# remove), sent with curl straight to the socket — no client start-up, no output streaming,
# no readiness logic beyond the job's own loop. Whatever a tool does, it cannot be faster
# than this by more than noise; the bench prints it as a reference column.
# Usage: daemon-floor.sh JOB_IMAGE REDIS_IMAGE   (unix socket only: DOCKER_HOST=unix://… or the default)
set -euo pipefail
job_image=$1 redis_image=$2
sock=${DOCKER_HOST:-unix:///var/run/docker.sock}
sock=${sock#unix://}
api() { curl -sf --unix-socket "$sock" -H 'Content-Type: application/json' "$@"; }
id_of() { sed -n 's/.*"Id":"\([0-9a-f]*\)".*/\1/p'; }
version=$(api http://localhost/version | sed -n 's/.*"ApiVersion":"\([0-9.]*\)".*/\1/p')
base="http://localhost/v$version"
name="bench-floor-$$-$RANDOM"
labels='{"io.runner-kit.bench":"true"}'
net=$(api -X POST "$base/networks/create" -d "{\"Name\":\"$name\",\"Labels\":$labels}" | id_of)
redis=; job=
cleanup() {
  for c in $job $redis; do api -X DELETE "$base/containers/$c?force=1" >/dev/null & done
  wait
  api -X DELETE "$base/networks/$net" >/dev/null || true
}
trap cleanup EXIT
endpoint() { echo "{\"NetworkMode\":\"$name\"},\"NetworkingConfig\":{\"EndpointsConfig\":{\"$name\":{\"Aliases\":[$1]}}}"; }
redis=$(api -X POST "$base/containers/create" -d "{\"Image\":\"$redis_image\",\"Labels\":$labels,\"HostConfig\":$(endpoint '"redis"')}" | id_of)
job=$(api -X POST "$base/containers/create" -d "{\"Image\":\"$job_image\",\"Labels\":$labels,\"Cmd\":[\"bash\",\"-c\",\"until redis-cli -h redis ping >/dev/null 2>&1; do sleep 0.1; done; redis-cli -h redis ping\"],\"HostConfig\":$(endpoint '')}" | id_of)
api -X POST "$base/containers/$redis/start"
api -X POST "$base/containers/$job/start"
status=$(api -X POST "$base/containers/$job/wait" | sed -n 's/.*"StatusCode":\([0-9]*\).*/\1/p')
[ "$status" = 0 ] || { echo "the floor job exited with $status" >&2; exit 1; }
echo PONG
