#!/usr/bin/env bash
# The main job: one silo on the embedded default (a private redis-server if none answers on
# localhost:6379), then `rmq demo` against it: a producer and the silo's demo consumers with live
# progress bars, then the final counts read from Redis. While it runs, the stats page is at
# http://127.0.0.1:3333. Extra arguments go to `rmq demo`, e.g. ./demo.sh --messages 200000
set -euo pipefail
cd "$(dirname "$0")"
. ./scripts-common.sh
ensure_dotnet
ensure_redis_server
echo "building the silo and the rmq tool (Release)..."
dotnet build src/Rmq.Silo -c Release -v q --nologo >/dev/null
dotnet build src/Rmq.Cli -c Release -v q --nologo >/dev/null

mkdir -p .rmq-data
log=.rmq-data/silo.log
dotnet src/Rmq.Silo/bin/Release/net10.0/Rmq.Silo.dll >"$log" 2>&1 &
silo=$!
# SIGTERM is the silo's graceful stop: queues hand back what they prefetched, the private Redis stops.
trap 'kill -TERM "$silo" 2>/dev/null || true; wait "$silo" 2>/dev/null || true' EXIT

# Ready means the silo printed its "active" line: it has joined the cluster and serves HTTP.
for _ in $(seq 1 600); do
  if grep -q "Rmq silo .* active" "$log"; then break; fi
  if ! kill -0 "$silo" 2>/dev/null; then
    cat "$log" >&2
    echo "the silo did not start (its log is above and in $log)" >&2
    exit 1
  fi
  sleep 0.1
done
grep -q "Rmq silo .* active" "$log" || { cat "$log" >&2; echo "the silo did not become active within 60 s" >&2; exit 1; }
echo "silo active (log: $log); dashboard: http://127.0.0.1:3333 (Go rmq's table: http://127.0.0.1:3333/stats)"

dotnet src/Rmq.Cli/bin/Release/net10.0/rmq.dll demo "$@"
