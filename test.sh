#!/usr/bin/env bash
# The whole test suite against real redis-servers (each fixture starts its own on a free port),
# real silo processes and headless Chromium (installed with apt-get when missing); then a second pass of
# the core tests ([Trait("Garnet", "core")]) against Microsoft Garnet (installed as a dotnet tool).
# Prints one closing line "N passed, N failed" summed over every pass; fails when any pass fails.
# Arguments go to each `dotnet test` (e.g. --filter, --logger trx); the solution is built once, in Debug, first, so
# arguments that change the build (-c, -f, -r, -p:) are refused.
#
# Two lanes run side by side, since most of each is spent waiting on processes, timers and Redis, not on the CPU:
#   1. tests/Rmq.Host.Tests (real silo processes, Chromium, packaging, the chaos program), the longest;
#   2. tests/Rmq.Tests, then its Garnet pass, then the docs and the Aspire sample.
# The first lane's output is shown when it ends. Each project runs one test class at a time (AssemblyInfo.cs),
# and fixtures take their ports through FreePorts' cross-process reservations, so the lanes do not collide.
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
# Lane 1's log is kept: a run that is cut short still shows what that lane did.
mkdir -p TestResults
host_log=TestResults/host-tests.log
host_pid=""
trap 'rm -f "$log"' EXIT
# Ctrl-C or SIGTERM stops lane 1 too: it runs in a process group of its own, which a background job's SIGINT would not reach.
trap 'if [ -n "$host_pid" ]; then kill -TERM -- -"$host_pid" 2>/dev/null; wait "$host_pid"; fi; exit 130' INT TERM

for arg in "$@"; do
  case "$arg" in
    -c|--configuration|--configuration=*|-f|--framework|--framework=*|-r|--runtime|--runtime=*|-p:*|--property:*)
      echo "test.sh builds the solution once, in Debug, and runs every project with --no-build: '$arg' would change the build; run 'dotnet test' on a project for that" >&2
      exit 2 ;;
  esac
done
dotnet build Rmq.sln 2>&1 | tee "$log"
code=${PIPESTATUS[0]}
if [ "$code" -ne 0 ]; then
  echo "the build failed; no test ran"
  echo "0 passed, 0 failed"
  exit "$code"
fi

echo "== lane 1 (in the background, shown when it ends; meanwhile in $PWD/$host_log): tests/Rmq.Host.Tests"
setsid dotnet test tests/Rmq.Host.Tests --no-build "$@" >"$host_log" 2>&1 &
host_pid=$!

echo "== lane 2: tests/Rmq.Tests"
dotnet test tests/Rmq.Tests --no-build "$@" 2>&1 | tee -a "$log"
code=${PIPESTATUS[0]}
# The same core against Garnet (docs/servers.md lists what else works there and what does not).
# A run given its own --filter is a partial run: it gets no second pass.
case " $* " in
  *" --filter "*) echo "(--filter given: no Garnet pass)" ;;
  *)
    echo "== core tests against Garnet (RMQ_TEST_SERVER=garnet, --filter Garnet=core)"
    RMQ_TEST_SERVER=garnet dotnet test tests/Rmq.Tests --no-build --filter Garnet=core "$@" 2>&1 | tee -a "$log"
    lane_code=${PIPESTATUS[0]}
    if [ "$code" -eq 0 ]; then code=$lane_code; fi
    ;;
esac
for project in tests/Rmq.Docs.Tests tests/Rmq.Aspire.Tests; do
  echo "== $project"
  dotnet test "$project" --no-build "$@" 2>&1 | tee -a "$log"
  lane_code=${PIPESTATUS[0]}
  if [ "$code" -eq 0 ]; then code=$lane_code; fi
done

wait "$host_pid"
host_code=$?
echo "== lane 1: tests/Rmq.Host.Tests (exit $host_code)"
cat "$host_log"
cat "$host_log" >>"$log"
if [ "$code" -eq 0 ]; then code=$host_code; fi

passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
if [ -f TestResults/failover.txt ]; then cat TestResults/failover.txt; fi
if [ -f TestResults/stats-page.png ]; then echo "stats page screenshot: $PWD/TestResults/stats-page.png"; fi
for shot in dashboard-overview dashboard-queue; do
  if [ -f "TestResults/$shot.png" ]; then echo "$shot screenshot: $PWD/TestResults/$shot.png"; fi
done
echo "$passed passed, $failed failed"
exit "$code"
