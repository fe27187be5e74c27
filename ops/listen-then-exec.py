"""Binds a TCP listening socket (port 0: any free port), prints the port it got, waits for one line on stdin, then
replaces itself with the given command, the socket inherited as descriptor $SB_LISTEN_FD.

ops/run.sh runs HAProxy this way (`bind fd@${SB_LISTEN_FD}`): the balancer's address is known, and taken, before the
nodes it fronts are configured with it, and no port is guessed.

usage: listen-then-exec.py HOST PORT COMMAND [ARGS...]
"""

import os
import socket
import sys

host, port, command = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
listener = socket.create_server((host, port), backlog=1024)
listener.set_inheritable(True)
print(listener.getsockname()[1], flush=True)
sys.stdin.readline()
os.environ["SB_LISTEN_FD"] = str(listener.fileno())
os.execvp(command[0], command)
