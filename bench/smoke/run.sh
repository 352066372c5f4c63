#!/usr/bin/env bash
# Side-by-side bench: the same job (one Redis service, a script that reaches it) run by
# `runner-kit smoke` and by a plain Docker CLI script doing the minimum. Prints each wall
# time, the medians and the ratio runner-kit / plain (target ≤ 0.8).
# Usage: bench/smoke/run.sh [ROUNDS]   (needs `npm run build` and the test fixture images)
set -euo pipefail
rounds=${1:-7}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
job_image=${BENCH_JOB_IMAGE:-$(docker images runner-kit-test/job --format '{{.Repository}}:{{.Tag}}' | head -n1)}
redis_image=${BENCH_REDIS_IMAGE:-$(docker images runner-kit-test/redis --format '{{.Repository}}:{{.Tag}}' | head -n1)}
[ -n "$job_image" ] && [ -n "$redis_image" ] || { echo "fixture images missing: run the integration tests once" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/.gitlab-ci.yml" <<YAML
bench:
  image: $job_image
  services:
    - name: $redis_image
      alias: redis
  script:
    - redis-cli -h redis ping
YAML

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
: > "$work/rk.times"; : > "$work/plain.times"
echo "job image $job_image, service $redis_image, $rounds rounds (alternating)"
for i in $(seq 1 "$rounds"); do
  t0=$(now); (cd "$work" && NO_COLOR=1 node "$root/dist/cli/main.js" smoke --job .gitlab-ci.yml >/dev/null 2>"$work/rk.log") || { cat "$work/rk.log"; exit 1; }
  t1=$(now); "$here/plain-docker.sh" "$job_image" "$redis_image" >/dev/null
  t2=$(now)
  rk=$(echo "$t1 - $t0" | bc); plain=$(echo "$t2 - $t1" | bc)
  echo "$rk" >> "$work/rk.times"; echo "$plain" >> "$work/plain.times"
  printf 'round %d: runner-kit %.2f s, plain docker CLI %.2f s\n' "$i" "$rk" "$plain"
done
rk=$(median < "$work/rk.times"); plain=$(median < "$work/plain.times")
printf 'median: runner-kit %.2f s, plain docker CLI %.2f s, ratio %.2f (target <= 0.80)\n' "$rk" "$plain" "$(echo "$rk / $plain" | bc -l)"
