#!/usr/bin/env bash
# Emulated linux/arm64 for the multi-platform tests, without Docker Hub:
#   1. qemu-user-static + binfmt_misc, so the kernel runs aarch64 binaries through qemu;
#   2. a tiny arm64 image (Debian's busybox-static for arm64, imported with
#      loaded with an arm64 image config) under a test-only name.
# Idempotent: when emulation is registered and the image answers `uname -m` with aarch64
# it only checks and exits. Needs root (apt, mount, update-binfmts), as .ci/run does.
# Usage: seed-arm64.sh [IMAGE]   (default runner-kit-test/busybox-arm64:latest)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

image=${1:-runner-kit-test/busybox-arm64:latest}
log() { printf 'seed-arm64: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
apt() { command apt-get -o DPkg::Lock::Timeout=300 -qq "$@"; }

# --- emulation ----------------------------------------------------------------------
have_image() { docker image inspect "$image" >/dev/null 2>&1; }
# The arm64 package architecture goes in before the one `apt-get update` a fresh machine needs.
updated=0
if ! have_image && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  log "adding the arm64 package architecture"
  dpkg --add-architecture arm64
fi
if ! command -v qemu-aarch64-static >/dev/null 2>&1 || ! command -v update-binfmts >/dev/null 2>&1; then
  log "installing qemu-user-static binfmt-support"
  apt update
  updated=1
  apt install -y --no-install-recommends qemu-user-static binfmt-support >/dev/null
fi
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
  log "mounting binfmt_misc"
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
if ! grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null; then
  update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || update-binfmts --enable
fi
grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null \
  || die "qemu-aarch64 is not registered in /proc/sys/fs/binfmt_misc; arm64 code cannot run here (install qemu-user-static and binfmt-support, then run update-binfmts --enable)"

# --- the arm64 image ----------------------------------------------------------------
runs_arm64() { [ "$(docker run --rm --platform linux/arm64 --network none "$image" uname -m 2>/dev/null)" = aarch64 ]; }
if have_image && runs_arm64; then
  log "$image is ready (uname -m: aarch64)"
  exit 0
fi

work=$(mktemp -d /tmp/rk-busybox-arm64.XXXXXX)
trap 'rm -rf "$work"' EXIT
dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
# The lists may predate the arm64 architecture (or be stale): update once and try again.
download() { (cd "$work" && apt download busybox-static:arm64); }
if [ "$updated" = 1 ]; then download; else download 2>/dev/null || { apt update && download; }; fi
dpkg-deb -x "$work"/busybox-static_*_arm64.deb "$work/pkg"
root="$work/root"
mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/root"
cp "$work/pkg/bin/busybox" "$root/bin/busybox"
for applet in $(qemu-aarch64-static "$root/bin/busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
# `docker import --platform` is not enough: a 20.10 daemon records its own architecture in
# the config. So write the image as `docker save` would (one layer, a config saying
# arm64) and `docker load` it: any daemon version, no BuildKit, the same image ID each time.
image_dir="$work/image"
mkdir -p "$image_dir"
tar -C "$root" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$image_dir/layer.tar" .
diff_id=$(sha256sum "$image_dir/layer.tar" | cut -d' ' -f1)
mkdir "$image_dir/$diff_id"
mv "$image_dir/layer.tar" "$image_dir/$diff_id/layer.tar"
printf '{"architecture":"arm64","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Env":["PATH=/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"runner-kit test/support/seed-arm64.sh: busybox-static arm64"}]}' \
  "$diff_id" >"$image_dir/config.json"
config_id=$(sha256sum "$image_dir/config.json" | cut -d' ' -f1)
mv "$image_dir/config.json" "$image_dir/$config_id.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$config_id" "$image" "$diff_id" >"$image_dir/manifest.json"
tar -C "$image_dir" -c . | docker load -q >/dev/null
runs_arm64 || die "$image was imported but \`uname -m\` in it does not print aarch64: emulation is not working"
log "$image seeded (uname -m: aarch64)"
