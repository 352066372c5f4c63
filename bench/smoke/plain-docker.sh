#!/usr/bin/env bash
# The minimum a plain Docker CLI script does for the bench job: a network, the Redis
# service with its alias, the job container (waiting for Redis itself, then reaching it),
# and removal. Usage: plain-docker.sh JOB_IMAGE REDIS_IMAGE
set -euo pipefail
job_image=$1 redis_image=$2
id="bench-plain-$$-$RANDOM"
docker network create --label io.runner-kit.bench=true "$id" >/dev/null
trap 'docker rm -f "$id-redis" >/dev/null 2>&1 || true; docker network rm "$id" >/dev/null 2>&1 || true' EXIT
docker run -d --name "$id-redis" --label io.runner-kit.bench=true --network "$id" --network-alias redis "$redis_image" >/dev/null
docker run --rm --label io.runner-kit.bench=true --network "$id" "$job_image" \
  bash -c 'until redis-cli -h redis ping >/dev/null 2>&1; do sleep 0.1; done; redis-cli -h redis ping'
