#!/usr/bin/env bash
# Side-by-side bench: the same job (one Redis service, a script that reaches it by its alias)
# run by `runner-kit smoke`, by a plain Docker CLI script doing the minimum (plain-docker.sh)
# and by gitlab-ci-local 4.73.0 (pinned in bench/smoke/package.json, installed here with
# `npm ci --prefix`; its helper images are stand-ins built by gcl-images.sh), alternating
# round by round. Every run must print Redis's PONG. Prints each wall time, the medians, the
# ratios runner-kit/plain (target ≤ 0.8) and runner-kit/gitlab-ci-local (target ≤ 0.25), and
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
for tool in rk gcl; do
  mkdir -p "$work/$tool"
  cat > "$work/$tool/.gitlab-ci.yml" <<YAML
bench:
  image: $job_image
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
: > "$work/rk.times"; : > "$work/plain.times"; : > "$work/gcl.times"; : > "$work/floor.times"
echo "job image $job_image, service $redis_image, $rounds rounds (alternating)"
for i in $(seq 1 "$rounds"); do
  t0=$(now); (cd "$work/rk" && NO_COLOR=1 node "$root/dist/cli/main.js" smoke --job .gitlab-ci.yml >"$work/rk.log" 2>&1) || { cat "$work/rk.log"; exit 1; }
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
  printf 'round %d: runner-kit %.2f s, plain docker CLI %.2f s, daemon floor %.2f s%s\n' "$i" "$rk" "$plain" "$floor" "${gcl_s:+$(printf ', gitlab-ci-local %.2f s' "$gcl_s")}"
done
rk=$(median < "$work/rk.times"); plain=$(median < "$work/plain.times")
ratio=$(echo "$rk / $plain" | bc -l)
floor_m=$(median < "$work/floor.times"); fratio=$(echo "$floor_m / $plain" | bc -l)
printf 'median: runner-kit %.2f s, plain docker CLI %.2f s, ratio %.2f (target <= 0.80)\n' "$rk" "$plain" "$ratio"
printf 'median: daemon floor (raw API calls) %.2f s, ratio floor/plain %.2f: no tool making these calls can go below it\n' "$floor_m" "$fratio"
if [ "$use_gcl" = 1 ]; then
  gcl_m=$(median < "$work/gcl.times"); gratio=$(echo "$rk / $gcl_m" | bc -l)
  printf 'median: gitlab-ci-local %.2f s, ratio runner-kit/gitlab-ci-local %.2f (target <= 0.25)\n' "$gcl_m" "$gratio"
  printf '{"rounds":%d,"runnerKitS":%.3f,"plainS":%.3f,"floorS":%.3f,"ratioFloorPlain":%.3f,"gitlabCiLocalS":%.3f,"ratioPlain":%.3f,"ratioGitlabCiLocal":%.3f}\n' "$rounds" "$rk" "$plain" "$floor_m" "$fratio" "$gcl_m" "$ratio" "$gratio"
else
  printf '{"rounds":%d,"runnerKitS":%.3f,"plainS":%.3f,"floorS":%.3f,"ratioFloorPlain":%.3f,"ratioPlain":%.3f}\n' "$rounds" "$rk" "$plain" "$floor_m" "$fratio" "$ratio"
fi
