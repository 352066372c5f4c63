#!/usr/bin/env bash
# Builds local stand-ins for the helper images gitlab-ci-local 4.73.0 pulls from Docker Hub
# (no Docker Hub here), under the exact names it asks for, labelled io.runner-kit.bench=true.
# Idempotent: an image is rebuilt only when its build files changed (content hash label);
# an image of that name that is not ours (the real one, pulled) is left alone and used.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build() { # NAME DIR
  local name=$1 dir=$2 hash have owner
  hash=$(cd "$dir" && cat $(ls | sort) | sha256sum | cut -c1-16)
  owner=$(docker image inspect "$name" --format '{{index .Config.Labels "io.runner-kit.bench"}}' 2>/dev/null || true)
  have=$(docker image inspect "$name" --format '{{index .Config.Labels "io.runner-kit.bench.hash"}}' 2>/dev/null || true)
  if docker image inspect "$name" >/dev/null 2>&1 && [ "$owner" != true ]; then
    echo "gcl-images: $name exists and is not a bench stand-in; using it" >&2; return 0
  fi
  [ "$have" = "$hash" ] && return 0
  echo "gcl-images: building stand-in $name" >&2
  docker build -q --label io.runner-kit.bench=true --label "io.runner-kit.bench.hash=$hash" -t "$name" "$dir" >/dev/null
}
build docker.io/firecow/gitlab-ci-local-util:latest "$here/gcl-images/util"
build docker.io/sumina46/wait-for-it:latest "$here/gcl-images/wait-for-it"
