# Shared by ops/run.sh and ops/test.sh: install what is missing, find free ports, start Redis.

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

sb_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# sb_wait_for_port PORT SECONDS: waits until something accepts TCP connections on 127.0.0.1:PORT.
sb_wait_for_port() {
  local port=$1 deadline=$((SECONDS + $2))
  until python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.1
  done
}
