# Sourced by demo.sh and test.sh: installs what they need on a fresh Debian machine.
ensure_redis_server() {
  if command -v redis-server >/dev/null 2>&1; then return 0; fi
  echo "redis-server is missing; installing the Debian package redis-server..."
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null
  command -v redis-server >/dev/null 2>&1 || { echo "could not install redis-server; install it and run again" >&2; exit 1; }
  # The package starts a system-wide server on 6379; Rmq's tests start their own on free ports.
}
ensure_garnet() {
  # Microsoft Garnet, a Redis-compatible server, for the second test pass: a dotnet global tool.
  export PATH="$PATH:$HOME/.dotnet/tools"
  if command -v garnet-server >/dev/null 2>&1; then return 0; fi
  echo "garnet-server is missing; installing the dotnet tool garnet-server 2.2.12..."
  dotnet tool install -g garnet-server --version 2.2.12 >/dev/null
  command -v garnet-server >/dev/null 2>&1 || { echo "could not install garnet-server; run 'dotnet tool install -g garnet-server --version 2.2.12' and run again" >&2; exit 1; }
}
ensure_dotnet() {
  command -v dotnet >/dev/null 2>&1 || { echo "the .NET SDK (10.0) is required: https://dot.net" >&2; exit 1; }
}
ensure_chromium() {
  # The stats page test loads the page in headless Debian Chromium through chromedriver.
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then return 0; fi
  echo "chromium/chromium-driver are missing; installing the Debian packages..."
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || { echo "could not install chromium and chromium-driver; install them and run again" >&2; exit 1; }
}
