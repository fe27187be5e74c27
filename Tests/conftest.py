"""The Switchboard node the Python suites (Tests/python, Tests/browser) talk to.

ops/test.sh sets SWITCHBOARD_BIN (the built `switchboard`) and SWITCHBOARD_TEST_REDIS_URL (its throwaway Redis); the
`switchboard` fixture then starts one node on database 1 of that Redis and stops it at the end. The node binds port 0
and reports the port it got through `serve --address-file`; browsers reach it through a small TCP proxy whose port
never changes, so a test can stop, start and restart the node (on whatever port it gets next) under the same URL,
as a load balancer would keep it. No port is ever guessed. (Tests/switchboard_node.py has the machinery.)

With SWITCHBOARD_URL set instead, the suites run against that server, and the stories that stop it are skipped.
"""

from __future__ import annotations

import os
import pathlib
import tempfile

import pytest

from switchboard_node import ExternalServer, Node, node_redis_url


@pytest.fixture(scope="session")
def switchboard():
    """The node under test: `.base_url`, and `.stop()`, `.start()`, `.restart()` for the stories that need them."""
    if os.environ.get("SWITCHBOARD_URL"):
        yield ExternalServer(os.environ["SWITCHBOARD_URL"])
        return
    binary, redis_url = os.environ.get("SWITCHBOARD_BIN"), os.environ.get("SWITCHBOARD_TEST_REDIS_URL")
    if not (binary and redis_url):
        pytest.skip("no Switchboard to test: set SWITCHBOARD_BIN and SWITCHBOARD_TEST_REDIS_URL (ops/test.sh does), "
                    "or SWITCHBOARD_URL for a running server")
    # The node gets database 1: the Swift suites and the routing-script tests use database 0 of the same Redis.
    with tempfile.TemporaryDirectory(prefix="sb-pytest-") as work:
        node = Node(binary, node_redis_url(redis_url, 1), pathlib.Path(work))
        try:
            node.start()
            yield node
        finally:
            node.close()
