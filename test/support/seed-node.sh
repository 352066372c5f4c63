#!/usr/bin/env bash
# node:20-bookworm for the runner-kit image and `ci.install: npx | package` jobs, without
# Docker Hub. On a machine that can pull it, the real image is pulled; here a stand-in is
# made: debian:bookworm (seeded by .ci/run) plus this machine's own Node 20 — the node
# binary, npm, npx and corepack — laid out as the official image lays them out
# (/usr/local/bin, /usr/local/lib/node_modules; CMD ["node"]). Debian's own nodejs (18) is
# too old. Nothing may depend on it being a stand-in.
# Idempotent: when the image answers `node --version` with v20 it only checks and exits.
# Usage: seed-node.sh [IMAGE]   (default node:20-bookworm)
set -euo pipefail

image=${1:-node:20-bookworm}
log() { printf 'seed-node: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

node_major() { docker run --rm --network none "$image" node --version 2>/dev/null | sed -n 's/^v\([0-9]*\)\..*/\1/p'; }
if docker image inspect "$image" >/dev/null 2>&1 && [ "$(node_major)" = 20 ]; then
  log "$image is ready (node $(docker run --rm --network none "$image" node --version))"
  exit 0
fi
if docker pull -q "$image" >/dev/null 2>&1; then
  log "pulled $image"
  exit 0
fi

docker image inspect debian:bookworm >/dev/null 2>&1 || die "debian:bookworm is not on this daemon: seed it first (bash .ci/run does)"
node=$(command -v node || true)
[ -n "$node" ] || die "no node on PATH: install Node 20 on this machine first"
node=$(readlink -f "$node")
[ "$("$node" -p 'process.versions.node.split(".")[0]')" = 20 ] || die "$node is Node $("$node" --version), not 20"
# npm and corepack live in <prefix>/lib/node_modules beside <prefix>/bin/node.
modules=$(dirname "$(dirname "$node")")/lib/node_modules
[ -f "$modules/npm/bin/npm-cli.js" ] || die "npm is not in $modules/npm: install npm for $node"

log "making a stand-in $image from debian:bookworm and $node ($("$node" --version)), npm from $modules"
work=$(mktemp -d /tmp/rk-node-standin.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/usr/local/bin" "$work/usr/local/lib/node_modules"
cp "$node" "$work/usr/local/bin/node"
for pkg in npm corepack; do
  [ -d "$modules/$pkg" ] && cp -a "$modules/$pkg" "$work/usr/local/lib/node_modules/$pkg"
done
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/usr/local/bin/npx"
[ -d "$work/usr/local/lib/node_modules/corepack" ] && ln -s ../lib/node_modules/corepack/dist/corepack.js "$work/usr/local/bin/corepack"
cat >"$work/Dockerfile" <<EOF
FROM debian:bookworm
COPY usr/ /usr/
ENV NODE_VERSION=$("$node" -p process.versions.node)
CMD ["node"]
EOF
# The classic builder: the docker CLI here may lack buildx.
DOCKER_BUILDKIT=0 docker build -q -t "$image" "$work" >/dev/null
[ "$(node_major)" = 20 ] || die "the stand-in $image does not run node 20"
docker run --rm --network none "$image" npm --version >/dev/null || die "npm does not run in the stand-in $image"
log "$image is ready (node $(docker run --rm --network none "$image" node --version), npm $(docker run --rm --network none "$image" npm --version))"
