#!/usr/bin/env bash
# The main job: one silo on the embedded default (a private redis-server if none answers on
# localhost:6379), a demo producer and consumers with live progress, then the final stats.
# Extra arguments go to the silo, e.g. ./demo.sh --messages 200000
set -euo pipefail
cd "$(dirname "$0")"
. ./scripts-common.sh
ensure_dotnet
ensure_redis_server
exec dotnet run --project src/Rmq.Silo -c Release -- demo "$@"
