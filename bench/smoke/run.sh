#!/usr/bin/env bash
# Side-by-side bench: the same job (one Redis service, a script that reaches it by its alias)
# run by `runner-kit smoke` in the runner's default network mode (default bridge, no network
# made) and with FF_NETWORK_PER_BUILD (a network per job, as the peers all do), by a plain
# Docker CLI script doing the minimum (plain-docker.sh)
# and by gitlab-ci-local 4.73.0 (pinned in bench/smoke/package.json, installed here with
# `npm ci --prefix`; its helper images are stand-ins built by gcl-images.sh), alternating
# round by round. Every run must print Redis's PONG. Prints each wall time, the medians, the
# ratios runner-kit (default mode)/plain (target ≤ 0.8), runner-kit (per-build)/daemon floor
# (target ≤ 1.03) and runner-kit (default mode)/gitlab-ci-local (target ≤ 0.3), and
# last one JSON line for bench/run.mjs. daemon-floor.sh makes the same Engine API calls with
# curl and nothing else: the floor no tool can beat, printed as a reference (ratio to plain).
# Usage: bench/smoke/run.sh [ROUNDS]   (needs `npm run build`, the test fixture images, rsync)
# BENCH_SMOKE_GCL=0 leaves gitlab-ci-local out.
set -euo pipefail
rounds=${1:-7}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
job_image=${BENCH_JOB_IMAGE:-$(docker images runner-kit-test/job --format '{{.Repository}}:{{.Tag}}' | head -n1)}
redis_image=${BENCH_REDIS_IMAGE:-$(docker images runner-kit-test/redis --format '{{.Repository}}:{{.Tag}}' | head -n1)}
[ -n "$job_image" ] && [ -n "$redis_image" ] || { echo "fixture images missing: run npm run bench (it builds them), or set BENCH_JOB_IMAGE and BENCH_REDIS_IMAGE" >&2; exit 2; }
use_gcl=${BENCH_SMOKE_GCL:-1}
gcl="$here/node_modules/gitlab-ci-local/dist/index.js"
if [ "$use_gcl" = 1 ]; then
  # gitlab-ci-local copies the project with rsync on the host.
  command -v rsync >/dev/null || { echo "gitlab-ci-local needs rsync on the host (apt-get install rsync), or set BENCH_SMOKE_GCL=0" >&2; exit 2; }
  [ -f "$gcl" ] || npm ci --prefix "$here" --no-audit --no-fund --loglevel=error >&2
  "$here/gcl-images.sh"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One project directory per tool (gitlab-ci-local writes its state into the project), each a
# git work tree with the job committed, as a real project would be.
for tool in rk rkpb gcl; do
  mkdir -p "$work/$tool"
  per_build=; [ "$tool" = rkpb ] && per_build='  variables: { FF_NETWORK_PER_BUILD: "true" }'
  cat > "$work/$tool/.gitlab-ci.yml" <<YAML
bench:
  image: $job_image
$per_build
  services:
    - name: $redis_image
      alias: redis
  script:
    - redis-cli -h redis ping
YAML
  (cd "$work/$tool" && git init -q && git add .gitlab-ci.yml && git -c user.name=bench -c user.email=bench@localhost commit -qm bench)
done

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
pong() { grep -q PONG "$1" || { echo "$2 did not reach Redis:" >&2; cat "$1" >&2; exit 1; }; }
: > "$work/rk.times"; : > "$work/rkpb.times"; : > "$work/plain.times"; : > "$work/gcl.times"; : > "$work/floor.times"
echo "job image $job_image, service $redis_image, $rounds rounds (alternating)"
for i in $(seq 1 "$rounds"); do
  tp=$(now); (cd "$work/rkpb" && NO_COLOR=1 node "$root/dist/cli/main.js" smoke --job .gitlab-ci.yml >"$work/rkpb.log" 2>&1) || { cat "$work/rkpb.log"; exit 1; }
  t0=$(now); rkpb=$(echo "$t0 - $tp" | bc); echo "$rkpb" >> "$work/rkpb.times"; pong "$work/rkpb.log" "runner-kit (per-build network)"
  (cd "$work/rk" && NO_COLOR=1 node "$root/dist/cli/main.js" smoke --job .gitlab-ci.yml >"$work/rk.log" 2>&1) || { cat "$work/rk.log"; exit 1; }
  t1=$(now); "$here/plain-docker.sh" "$job_image" "$redis_image" >"$work/plain.log" 2>&1 || { cat "$work/plain.log"; exit 1; }
  t2=$(now); plain=$(echo "$t2 - $t1" | bc); "$here/daemon-floor.sh" "$job_image" "$redis_image" >"$work/floor.log" 2>&1 || { cat "$work/floor.log"; exit 1; }
  tf=$(now); floor=$(echo "$tf - $t2" | bc); echo "$floor" >> "$work/floor.times"; t2=$tf; gcl_s=
  if [ "$use_gcl" = 1 ]; then
    (cd "$work/gcl" && NO_COLOR=1 node "$gcl" bench >"$work/gcl.log" 2>&1) || { cat "$work/gcl.log"; exit 1; }
    t3=$(now); gcl_s=$(echo "$t3 - $t2" | bc); echo "$gcl_s" >> "$work/gcl.times"; pong "$work/gcl.log" gitlab-ci-local
  fi
  pong "$work/rk.log" runner-kit; pong "$work/plain.log" "the plain script"; pong "$work/floor.log" "the daemon floor"
  rk=$(echo "$t1 - $t0" | bc)
  echo "$rk" >> "$work/rk.times"; echo "$plain" >> "$work/plain.times"
  printf 'round %d: runner-kit %.2f s (per-build network %.2f s), plain docker CLI %.2f s, daemon floor %.2f s%s\n' "$i" "$rk" "$rkpb" "$plain" "$floor" "${gcl_s:+$(printf ', gitlab-ci-local %.2f s' "$gcl_s")}"
done
rk=$(median < "$work/rk.times"); plain=$(median < "$work/plain.times")
ratio=$(echo "$rk / $plain" | bc -l)
floor_m=$(median < "$work/floor.times"); fratio=$(echo "$floor_m / $plain" | bc -l)
rkpb=$(median < "$work/rkpb.times"); pbratio=$(echo "$rkpb / $floor_m" | bc -l)
printf 'median: runner-kit (default network mode) %.2f s, plain docker CLI %.2f s, ratio %.2f (target <= 0.80)\n' "$rk" "$plain" "$ratio"
printf 'median: daemon floor (raw API calls) %.2f s, ratio floor/plain %.2f: no tool making these calls can go below it\n' "$floor_m" "$fratio"
printf 'median: runner-kit (FF_NETWORK_PER_BUILD) %.2f s, ratio to the daemon floor %.2f (target <= 1.03)\n' "$rkpb" "$pbratio"
if [ "$use_gcl" = 1 ]; then
  gcl_m=$(median < "$work/gcl.times"); gratio=$(echo "$rk / $gcl_m" | bc -l)
  printf 'median: gitlab-ci-local %.2f s, ratio runner-kit/gitlab-ci-local %.2f (target <= 0.30)\n' "$gcl_m" "$gratio"
  printf '{"rounds":%d,"runnerKitS":%.3f,"runnerKitPerBuildS":%.3f,"plainS":%.3f,"floorS":%.3f,"ratioFloorPlain":%.3f,"ratioPerBuildFloor":%.3f,"gitlabCiLocalS":%.3f,"ratioPlain":%.3f,"ratioGitlabCiLocal":%.3f}\n' "$rounds" "$rk" "$rkpb" "$plain" "$floor_m" "$fratio" "$pbratio" "$gcl_m" "$ratio" "$gratio"
else
  printf '{"rounds":%d,"runnerKitS":%.3f,"runnerKitPerBuildS":%.3f,"plainS":%.3f,"floorS":%.3f,"ratioFloorPlain":%.3f,"ratioPerBuildFloor":%.3f,"ratioPlain":%.3f}\n' "$rounds" "$rk" "$rkpb" "$plain" "$floor_m" "$fratio" "$pbratio" "$ratio"
fi
