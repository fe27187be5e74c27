#!/usr/bin/env bash
# Runs the whole test suite: Swift tests (unit, Redis, multi-node), JS unit tests, Python tests (routing scripts,
# boto3 against the Connect-compatible API, AWS mode in front of it, cfn-lint on ops/aws, ops/run.sh itself with one
# node and with three behind HAProxy, browser tests with Playwright + Chromium). Installs what
# is missing and starts a throwaway Redis on a Unix socket of its own; the Python suites start their node themselves
# (Tests/conftest.py). No port is picked in advance anywhere. Exits non-zero on any failure.
#
# Each suite runs in a session of its own; a suite that leaves any process of that session running has failed, and the
# processes it left are listed and stopped.
set -uo pipefail
cd "$(dirname "$0")/.."
. ops/lib.sh
sb_install_runtime
command -v node >/dev/null || sb_apt_install nodejs
[ -x /usr/bin/chromium ] || sb_apt_install chromium
command -v haproxy >/dev/null || sb_apt_install haproxy
python3 - <<'PY' 2>/dev/null || sb_pip_install pytest redis boto3 playwright cfn-lint schemathesis
import pytest, redis, boto3, playwright, cfnlint, schemathesis
PY

work=$(mktemp -d /tmp/switchboard-test.XXXXXX)
redis_pid=""
cleanup() {
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

sb_start_redis "$work" || { echo "test Redis did not start:" >&2; cat "$work/redis.log" >&2; exit 1; }
redis_pid=$sb_redis_pid
export SWITCHBOARD_TEST_REDIS_URL="unix://$work/redis.sock?db=0"
echo "test Redis on $SWITCHBOARD_TEST_REDIS_URL"

failed=()
# run_suite NAME COMMAND...: runs the command in a new session and waits for it; fails the suite if it fails or if any
# process of its session is still running after it returned.
run_suite() {
  local name=$1; shift
  setsid "$@" &
  local leader=$!
  wait "$leader" || failed+=("$name")
  local left
  left=$(ps -o pid=,args= -s "$leader" 2>/dev/null)
  if [ -n "$left" ]; then
    echo "$name left processes running:"; echo "$left"
    failed+=("$name (left processes running)")
    for pid in $(ps -o pid= -s "$leader"); do kill -KILL "$pid" 2>/dev/null; done
  fi
}

swift build --build-tests || { echo "build failed" >&2; exit 1; }
export SWITCHBOARD_BIN="$PWD/.build/debug/switchboard"
export SWITCHBOARD_REPO="$PWD"
run_suite "swift test" swift test --skip-build
# libFuzzer targets (docs/fuzzing.md): a build of their own, then 20 s each on the committed corpus.
run_suite "fuzz" bash ops/fuzz.sh 20
run_suite "node --test" node --test web/test/
mkdir -p test-artifacts
run_suite "pytest" python3 -m pytest -q -p no:cacheprovider Tests/python Tests/browser

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all suites passed"
