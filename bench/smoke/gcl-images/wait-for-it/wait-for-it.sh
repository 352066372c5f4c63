#!/bin/sh
# wait-for-it HOST:PORT [-t SECONDS]: exit 0 once HOST:PORT accepts a TCP connection, 1 on timeout.
target=$1; shift
timeout=15
while [ $# -gt 0 ]; do
  case $1 in
    -t) timeout=$2; shift 2 ;;
    --timeout=*) timeout=${1#--timeout=}; shift ;;
    *) shift ;;
  esac
done
host=${target%:*} port=${target##*:}
start=$(date +%s)
echo "wait-for-it: waiting $timeout seconds for $host:$port"
while :; do
  if nc -w 1 "$host" "$port" </dev/null >/dev/null 2>&1; then
    echo "wait-for-it: $host:$port is available after $(( $(date +%s) - start )) seconds"
    exit 0
  fi
  if [ "$timeout" -gt 0 ] && [ $(( $(date +%s) - start )) -ge "$timeout" ]; then
    echo "wait-for-it: timeout occurred after waiting $timeout seconds for $host:$port" >&2
    exit 1
  fi
  sleep 1
done
