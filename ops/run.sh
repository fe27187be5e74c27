#!/usr/bin/env bash
# Runs the product on its embedded default: Redis (ops/redis.conf) + Switchboard node(s) + the demo agents from
# config.json, and prints the URLs. Installs what is missing with apt. Ctrl-C stops what this script started, and
# nothing else (a Redis that was already running on the Redis port is used and left running).
#
# Options (defaults in brackets), for a second copy beside the first, for scripts and tests:
#   --port N         the address people use [node.port of config.json]; 0 takes any free port and prints it
#   --nodes N        nodes to run [1]; more than one run behind HAProxy (ops/haproxy.cfg) on --port, each node on a
#                    port of its own, draining for 2 s on SIGTERM so the balancer's checks take it out first
#   --redis-port N   Redis's TCP port [6380]; 0 means none: Redis listens only on <data>/redis.sock
#   --data DIR       Redis's data, log and socket, and the nodes' files [.data]
#   --build CONFIG   release or debug [release]
set -euo pipefail
cd "$(dirname "$0")/.."
. ops/lib.sh

port=$(python3 -c 'import json; print(json.load(open("config.json"))["node"]["port"])')
nodes=1
redis_port=6380
data=.data
build=release
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --nodes) nodes=$2; shift 2 ;;
    --redis-port) redis_port=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) echo "unknown option $1 (see the top of ops/run.sh)" >&2; exit 2 ;;
  esac
done
case "$build" in release|debug) ;; *) echo "--build takes release or debug" >&2; exit 2 ;; esac
[[ "$nodes" =~ ^[1-9][0-9]*$ ]] || { echo "--nodes takes a number from 1" >&2; exit 2; }
mkdir -p "$data" && data=$(cd "$data" && pwd)

sb_install_runtime
[ "$nodes" -gt 1 ] && ! command -v haproxy >/dev/null && sb_apt_install haproxy

redis_pid=""
lb_pid=""
node_pids=()
cleanup() {
  trap '' INT TERM
  set +e  # stop everything, whatever each step answers
  [ -n "$lb_pid" ] && kill -TERM "$lb_pid" 2>/dev/null && wait "$lb_pid" 2>/dev/null
  for pid in "${node_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${node_pids[@]}"; do wait "$pid" 2>/dev/null; done
  [ -n "$redis_pid" ] && kill -TERM "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
  rm -f "$data"/node-*.address
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

# Behind a balancer, the balancer's socket is bound first (ops/listen-then-exec.py), so its address is known before
# the nodes are told it; HAProxy starts once their addresses are known.
node_port=$port
public_port=$port
if [ "$nodes" -gt 1 ]; then
  coproc LB { exec python3 ops/listen-then-exec.py 127.0.0.1 "$port" haproxy -db -f "$data/haproxy.cfg"; }
  lb_pid=$LB_PID
  read -r public_port <&"${LB[0]}"
  node_port=0
fi
# config.json, with this run's ports, Redis, public address and (for a port of its own) the origins a browser sends.
python3 - "$data/config.json" "$node_port" "$public_port" "$redis_url" "$nodes" <<'PY'
import json, sys
path, node_port, public_port, redis_url, nodes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
c = json.load(open("config.json"))
if public_port not in (0, c["node"]["port"]):
    c["security"]["allowedOrigins"] = [f"http://127.0.0.1:{public_port}", f"http://localhost:{public_port}"]
c["node"]["port"] = node_port
if nodes > 1:
    c["node"].update(publicUrl=f"http://127.0.0.1:{public_port}", drainSeconds=2)
    # HAProxy (on this host) says who the client is in X-Forwarded-For; per-IP limits then count real clients.
    c["security"]["trustedProxies"] = ["127.0.0.1/32"]
c["redis"]["url"] = redis_url
json.dump(c, open(path, "w"), indent=2)
PY
node_prefix="$(hostname -s 2>/dev/null || echo node)-$$"
: >"$data/nodes.txt"
for k in $(seq "$nodes"); do
  rm -f "$data/node-$k.address"
  ".build/$build/switchboard" serve --config "$data/config.json" --node-id "$node_prefix-n$k" --address-file "$data/node-$k.address" &
  node_pids+=($!)
done
for k in $(seq "$nodes"); do
  until [ -s "$data/node-$k.address" ]; do
    kill -0 "${node_pids[$((k - 1))]}" 2>/dev/null || { echo "switchboard node $k did not start" >&2; exit 1; }
    sleep 0.1
  done
  # "<id> <pid> <port>" per node, for operators and tests.
  echo "$node_prefix-n$k ${node_pids[$((k - 1))]} $(sed 's/.*://' "$data/node-$k.address")" >>"$data/nodes.txt"
done
if [ "$nodes" -gt 1 ]; then
  { cat ops/haproxy.cfg; awk '{ printf "    server %s 127.0.0.1:%s check\n", $1, $3 }' "$data/nodes.txt"; } >"$data/haproxy.cfg"
  echo go >&"${LB[1]}"
else
  public_port=$(awk '{ print $3 }' "$data/nodes.txt")
fi
python3 - "$public_port" <<'PY' || { echo "switchboard is not healthy" >&2; exit 1; }
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
where=$([ "$nodes" -gt 1 ] && echo "HAProxy on 127.0.0.1:$public_port in front of $nodes nodes ($data/nodes.txt)" || echo "node on 127.0.0.1:$public_port")
cat <<EOT

Switchboard is running ($where, Redis on $redis_at).
  Customer site and support widget:  http://127.0.0.1:$public_port/
  Agent app:                          http://127.0.0.1:$public_port/agent/   (agent1 / agent2, password local-demo-password: demo only)
  Health:                             http://127.0.0.1:$public_port/health
  Metrics:                            http://127.0.0.1:$public_port/metrics
  Connect-compatible API:             http://127.0.0.1:$public_port/connect  (demo keys in config.json)
Press Ctrl-C to stop.
EOT
wait "${node_pids[@]}"
