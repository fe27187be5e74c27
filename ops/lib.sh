# Shared by ops/run.sh and ops/test.sh: install what is missing, start Redis.

# Installs Debian packages only when the command/library they provide is missing; apt-get update runs once, if needed.
sb_apt_updated=0
sb_apt_install() {
  if [ "$sb_apt_updated" = 0 ]; then
    echo "installing: $*" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    sb_apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

sb_install_runtime() {
  command -v redis-server >/dev/null || sb_apt_install redis-server
  command -v redis-cli >/dev/null || sb_apt_install redis-tools
  command -v pkg-config >/dev/null || sb_apt_install pkg-config
  pkg-config --exists hiredis 2>/dev/null || sb_apt_install libhiredis-dev
  command -v python3 >/dev/null || sb_apt_install python3 python3-pip
  command -v swift >/dev/null || { echo "Swift 6.2+ is required (https://swift.org/install)" >&2; exit 1; }
}

# pip install that also works on Debian's externally-managed Python.
sb_pip_install() {
  python3 -m pip install --quiet "$@" 2>/dev/null || python3 -m pip install --quiet --break-system-packages "$@"
}

# sb_start_redis DIR [PORT [CONF]]: starts redis-server in the background with its socket, log and data in DIR (made
# absolute, so nothing depends on how Redis resolves relative paths), with the settings of CONF, or without persistence
# when there is none. It always listens on DIR/redis.sock; on TCP port PORT too unless PORT is 0 (the default). Sets
# sb_redis_pid and returns once Redis answers, or fails if it exits first (its log is DIR/redis.log).
sb_start_redis() {
  local dir port=${2:-0} conf=${3:-}
  mkdir -p "$1" && dir=$(cd "$1" && pwd)
  local args=(--port "$port" --unixsocket "$dir/redis.sock" --unixsocketperm 700 --dir "$dir" --logfile "$dir/redis.log")
  if [ -n "$conf" ]; then args=("$conf" "${args[@]}"); else args+=(--save '' --appendonly no); fi
  # A process group of its own: Ctrl-C reaches the script and the node, which stop first while Redis still answers;
  # the script stops Redis after them.
  set -m
  redis-server "${args[@]}" &
  sb_redis_pid=$!
  set +m
  until redis-cli -s "$dir/redis.sock" ping >/dev/null 2>&1; do
    kill -0 "$sb_redis_pid" 2>/dev/null || { wait "$sb_redis_pid"; return 1; }
    sleep 0.05
  done
}
