#!/usr/bin/env bash
# A local docker:dind for the Docker-in-Docker smoke test, without Docker Hub:
#   1. where docker:27-dind can be pulled (a machine with Docker Hub), the real image is used;
#   2. else a stand-in is built from debian:bookworm and Debian's docker.io (.debs downloaded
#      on the host with apt-get, as containers here have no network) with the entrypoints in
#      test/fixtures/dind/, and tagged docker:27-dind and docker:dind.
# Idempotent: a stand-in built from the same files (label io.runner-kit.dind-seed) or any
# image already under both tags is kept. The real image is never replaced.
# Usage: seed-dind.sh   (needs root for apt-get, as .ci/run does)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

tags=(docker:27-dind docker:dind)
here=$(cd "$(dirname "$0")" && pwd)
fixture="$here/../fixtures/dind"
log() { printf 'seed-dind: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

seed=$(cat "$fixture"/Dockerfile "$fixture"/*.sh | sha256sum | cut -c1-16)
label_of() { docker image inspect -f '{{ index .Config.Labels "io.runner-kit.dind-seed" }}' "$1" 2>/dev/null || true; }
have() { docker image inspect "$1" >/dev/null 2>&1; }

current=$(label_of "${tags[0]}")
if have "${tags[0]}" && have "${tags[1]}" && { [ -z "$current" ] || [ "$current" = "$seed" ]; }; then
  log "${tags[*]} ready${current:+ (stand-in $current)}"
  exit 0
fi
if [ -z "$current" ] && ! have "${tags[0]}" && docker pull -q "${tags[0]}" >/dev/null 2>&1; then
  docker tag "${tags[0]}" "${tags[1]}"
  log "pulled the real ${tags[0]}"
  exit 0
fi

work=$(mktemp -d /tmp/rk-dind.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/debs/partial"
cp "$fixture"/Dockerfile "$fixture"/*.sh "$work/"
# Exactly what debian:bookworm lacks for docker.io and the entrypoint's tools: apt on the
# host solves against the base image's own dpkg status and only downloads.
docker run --rm --network none debian:bookworm cat /var/lib/dpkg/status >"$work/status"
download() {
  apt-get -qq install --download-only --no-install-recommends -y -o Dir::State::status="$work/status" \
    -o Dir::Cache::archives="$work/debs/" -o APT::Architectures::="$(dpkg --print-architecture)" docker.io iptables openssl ca-certificates procps >/dev/null
}
download 2>/dev/null || { apt-get -qq update && download; }
rm -rf "$work/debs/partial" "$work/debs/lock"
ls "$work"/debs/docker.io_*.deb >/dev/null 2>&1 || die "apt-get could not download docker.io (check the machine's Debian sources)"
log "building the docker:dind stand-in from $(ls "$work/debs" | wc -l) Debian packages"
DOCKER_BUILDKIT=0 docker build -q 2>/dev/null --label io.runner-kit.dind-seed="$seed" --label io.runner-kit.test-fixture=dind \
  -t "${tags[0]}" -t "${tags[1]}" "$work" >/dev/null
docker run --rm --network none --entrypoint dockerd "${tags[0]}" --version | grep -q '^Docker version' \
  || die "${tags[0]} was built but dockerd does not answer --version"
log "${tags[*]} seeded (stand-in $seed)"
