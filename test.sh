#!/usr/bin/env bash
# The whole test suite against real redis-servers (each fixture starts its own on a free port),
# real silo processes and headless Chromium (installed with apt-get when missing); then a second pass of
# the core tests ([Trait("Garnet", "core")]) against Microsoft Garnet (installed as a dotnet tool).
# Prints one closing line "N passed, N failed" summed over both passes; fails when either pass fails.
set -uo pipefail
cd "$(dirname "$0")"
. ./scripts-common.sh
ensure_dotnet
ensure_redis_server
ensure_chromium
ensure_garnet
# Artifacts left by an earlier run must not pass for this one's.
rm -f TestResults/stats-page.png TestResults/dashboard-overview.png TestResults/dashboard-queue.png TestResults/failover.txt
log=$(mktemp)
dotnet test Rmq.sln "$@" 2>&1 | tee "$log"
code=${PIPESTATUS[0]}
# The same core against Garnet (docs/servers.md lists what else works there and what does not).
# A run given its own --filter is a partial run: it gets no second pass.
case " $* " in
  *" --filter "*) echo "(--filter given: no Garnet pass)" ;;
  *)
    echo "== core tests against Garnet (RMQ_TEST_SERVER=garnet, --filter Garnet=core)"
    RMQ_TEST_SERVER=garnet dotnet test tests/Rmq.Tests --filter Garnet=core "$@" 2>&1 | tee -a "$log"
    garnet_code=${PIPESTATUS[0]}
    if [ "$code" -eq 0 ]; then code=$garnet_code; fi
    ;;
esac
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
if [ -f TestResults/failover.txt ]; then cat TestResults/failover.txt; fi
if [ -f TestResults/stats-page.png ]; then echo "stats page screenshot: $PWD/TestResults/stats-page.png"; fi
for shot in dashboard-overview dashboard-queue; do
  if [ -f "TestResults/$shot.png" ]; then echo "$shot screenshot: $PWD/TestResults/$shot.png"; fi
done
echo "$passed passed, $failed failed"
exit "$code"
