#!/usr/bin/env bash
# Runs the whole test suite: Swift tests (unit, Redis, multi-node), JS unit tests, Python tests (routing scripts,
# boto3 against the Connect-compatible API, browser tests with Playwright + Chromium). Installs what is missing,
# starts a throwaway Redis on a free port and one server node, and stops them at the end. Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
. ops/lib.sh
sb_install_runtime
command -v node >/dev/null || sb_apt_install nodejs
[ -x /usr/bin/chromium ] || sb_apt_install chromium
python3 - <<'PY' 2>/dev/null || sb_pip_install pytest redis boto3 playwright
import pytest, redis, boto3, playwright
PY

work=$(mktemp -d /tmp/switchboard-test.XXXXXX)
redis_port=$(sb_free_port)
cleanup() {
  [ -s "$work/server.pid" ] && kill "$(cat "$work/server.pid")" 2>/dev/null && sleep 1
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
  --daemonize yes --logfile "$work/redis.log" >/dev/null
sb_wait_for_port "$redis_port" 20 || { echo "test Redis did not start" >&2; exit 1; }
export SWITCHBOARD_TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
echo "test Redis on $SWITCHBOARD_TEST_REDIS_URL"

failed=()
swift build --build-tests || { echo "build failed" >&2; exit 1; }
export SWITCHBOARD_BIN="$PWD/.build/debug/switchboard"
export SWITCHBOARD_REPO="$PWD"
# The Swift Testing runner here sometimes reports its result and then does not exit (seen after all tests passed);
# the result line decides, and a runner that lingers 60 s past it is stopped. No result within 25 minutes fails.
# Line-buffered, so the result line reaches the log even if the runner then hangs.
stdbuf -oL -eL swift test --skip-build >"$work/swift-test.log" 2>&1 &
swift_pid=$!
tail -n +1 -f "$work/swift-test.log" --pid="$swift_pid" &
reported=""
while kill -0 "$swift_pid" 2>/dev/null; do
  if [ -z "$reported" ] && grep -qE "Test run with [0-9]+ tests? .*(passed|failed)" "$work/swift-test.log"; then reported=$SECONDS; fi
  if { [ -n "$reported" ] && [ $((SECONDS - reported)) -gt 60 ]; } || [ "$SECONDS" -gt 1500 ]; then
    echo "swift test did not exit after its result; stopping it"
    pkill -f switchboardPackageTests.xctest; kill "$swift_pid" 2>/dev/null
    break
  fi
  sleep 1
done
wait "$swift_pid"
swift_status=$?
sleep 1
if [ "$swift_status" -ne 0 ] && ! { [ -n "$reported" ] && grep -qE "Test run with [0-9]+ tests? .* passed" "$work/swift-test.log"; }; then
  failed+=("swift test")
fi

node --test web/test/ || failed+=("node --test")

# One node for the Python suites (boto3 acceptance, browser tests), on its own port and Redis database.
server_port=$(sb_free_port)
python3 - "$work/config.json" "$server_port" "$redis_port" <<'PY'
import json, sys
path, port, redis_port = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = json.load(open("config.json"))
c["node"]["port"] = port
c["redis"]["url"] = f"redis://127.0.0.1:{redis_port}/1"
c["security"]["allowedOrigins"] = [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
c["security"]["rateLimits"]["startContactPerMinutePerIp"] = 0
json.dump(c, open(path, "w"), indent=2)
PY
# The browser suite restarts this node mid-chat through SWITCHBOARD_RESTART_CMD (SIGTERM, then start again).
cat >"$work/start-node.sh" <<EOT
#!/usr/bin/env bash
. "$PWD/ops/lib.sh"
if [ -s "$work/server.pid" ]; then
  pid=\$(cat "$work/server.pid"); kill -TERM "\$pid" 2>/dev/null
  for _ in \$(seq 100); do kill -0 "\$pid" 2>/dev/null || break; sleep 0.1; done
fi
nohup "$SWITCHBOARD_BIN" serve --config "$work/config.json" --node-id test-node >>"$work/server.log" 2>&1 &
echo \$! >"$work/server.pid"
sb_wait_for_port "$server_port" 60
EOT
chmod +x "$work/start-node.sh"
if "$work/start-node.sh"; then
  export SWITCHBOARD_URL="http://127.0.0.1:$server_port"
  export SWITCHBOARD_RESTART_CMD="$work/start-node.sh"
  mkdir -p test-artifacts
  python3 -m pytest -q -p no:cacheprovider Tests/python Tests/browser || failed+=("pytest")
else
  echo "server did not start:" >&2; cat "$work/server.log" >&2; failed+=("server start")
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  [ -s "$work/server.log" ] && { echo "--- last server log lines"; tail -40 "$work/server.log"; }
  exit 1
fi
echo "all suites passed"
