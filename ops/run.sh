#!/usr/bin/env bash
# Runs the product on its embedded default: Redis (ops/redis.conf, port 6380) + one Switchboard node + the demo agents
# from config.json. Installs what is missing with apt. Ctrl-C stops what this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
. ops/lib.sh
sb_install_runtime

started_redis=""
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -n "$started_redis" ] && redis-cli -p 6380 shutdown >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

mkdir -p .data
if redis-cli -p 6380 ping >/dev/null 2>&1; then
  echo "Redis already running on 127.0.0.1:6380"
else
  redis-server ops/redis.conf &
  started_redis=1
  sb_wait_for_port 6380 20 || { echo "Redis did not start; see .data/redis.log" >&2; exit 1; }
fi

swift build -c release --product switchboard
port=$(python3 -c 'import json; print(json.load(open("config.json"))["node"]["port"])')
.build/release/switchboard serve --config config.json &
server_pid=$!
sb_wait_for_port "$port" 60 || { echo "switchboard did not start" >&2; exit 1; }
cat <<EOT

Switchboard is running (node on 127.0.0.1:$port, Redis on 127.0.0.1:6380).
  Customer site and support widget:  http://127.0.0.1:$port/
  Agent app:                          http://127.0.0.1:$port/agent/   (agent1 / agent2, password local-demo-password: demo only)
  Health:                             http://127.0.0.1:$port/health
  Metrics:                            http://127.0.0.1:$port/metrics
  Connect-compatible API:             http://127.0.0.1:$port/connect  (demo keys in config.json)
Press Ctrl-C to stop.
EOT
wait "$server_pid"
