#!/usr/bin/env bash
# Runs the product on its embedded default: Redis (ops/redis.conf) + one Switchboard node + the demo agents from
# config.json, and prints the URLs. Installs what is missing with apt. Ctrl-C stops what this script started, and
# nothing else (a Redis that was already running on the Redis port is used and left running).
#
# Options (defaults in brackets), for a second copy beside the first, or for scripts and tests:
#   --port N         the node's HTTP port [node.port of config.json]; 0 takes any free port and prints it
#   --redis-port N   Redis's TCP port [6380]; 0 means none: Redis listens only on <data>/redis.sock
#   --data DIR       Redis's data, log and socket, and the node's files [.data]
#   --build CONFIG   release or debug [release]
set -euo pipefail
cd "$(dirname "$0")/.."
. ops/lib.sh

port=$(python3 -c 'import json; print(json.load(open("config.json"))["node"]["port"])')
redis_port=6380
data=.data
build=release
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --redis-port) redis_port=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) echo "unknown option $1 (see the top of ops/run.sh)" >&2; exit 2 ;;
  esac
done
case "$build" in release|debug) ;; *) echo "--build takes release or debug" >&2; exit 2 ;; esac
mkdir -p "$data" && data=$(cd "$data" && pwd)

sb_install_runtime

redis_pid=""
node_pid=""
cleanup() {
  trap '' INT TERM
  [ -n "$node_pid" ] && kill -TERM "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null
  [ -n "$redis_pid" ] && kill -TERM "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
  rm -f "$data/node.address"
}
trap cleanup EXIT
trap 'echo; echo "stopping"; exit 130' INT TERM

if [ "$redis_port" != 0 ] && redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
  echo "Redis already running on 127.0.0.1:$redis_port; using it"
  redis_url="redis://127.0.0.1:$redis_port/0"
else
  sb_start_redis "$data" "$redis_port" ops/redis.conf || { echo "Redis did not start; see $data/redis.log" >&2; exit 1; }
  redis_pid=$sb_redis_pid
  redis_url="unix://$data/redis.sock?db=0"
fi

swift build -c "$build" --product switchboard
# config.json, with this run's port, Redis and (for a port of its own) the origins a browser on that port sends.
python3 - "$data/config.json" "$port" "$redis_url" <<'PY'
import json, sys
path, port, redis_url = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = json.load(open("config.json"))
if port not in (0, c["node"]["port"]):
    c["security"]["allowedOrigins"] = [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
c["node"]["port"] = port
c["redis"]["url"] = redis_url
json.dump(c, open(path, "w"), indent=2)
PY
rm -f "$data/node.address"
".build/$build/switchboard" serve --config "$data/config.json" --address-file "$data/node.address" &
node_pid=$!
until [ -s "$data/node.address" ]; do
  kill -0 "$node_pid" 2>/dev/null || { echo "switchboard did not start" >&2; exit 1; }
  sleep 0.1
done
port=$(sed 's/.*://' "$data/node.address")
python3 - "$port" <<'PY' || { echo "switchboard is not healthy" >&2; exit 1; }
import json, sys, time, urllib.request
deadline = time.time() + 60
while True:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health", timeout=2) as res:
            if json.load(res)["status"] == "ok":
                break
    except Exception:
        if time.time() > deadline:
            sys.exit(1)
        time.sleep(0.1)
PY
redis_at=$([ -n "$redis_pid" ] && { [ "$redis_port" != 0 ] && echo "127.0.0.1:$redis_port and $data/redis.sock" || echo "$data/redis.sock"; } || echo "127.0.0.1:$redis_port")
cat <<EOT

Switchboard is running (node on 127.0.0.1:$port, Redis on $redis_at).
  Customer site and support widget:  http://127.0.0.1:$port/
  Agent app:                          http://127.0.0.1:$port/agent/   (agent1 / agent2, password local-demo-password: demo only)
  Health:                             http://127.0.0.1:$port/health
  Metrics:                            http://127.0.0.1:$port/metrics
  Connect-compatible API:             http://127.0.0.1:$port/connect  (demo keys in config.json)
Press Ctrl-C to stop.
EOT
wait "$node_pid"
