"""README command 1 (`bash ops/run.sh`), run as a person would, on private addresses: it starts Redis and a node that
answers /health and serves the site, prints the URLs, and Ctrl-C stops everything it started.

`--port 0 --redis-port 0 --data <tmp>` keep it off the default ports and out of .data/; `--build debug` reuses the build
the test command already made instead of a release build of several minutes.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import re
import signal
import subprocess
import time
import urllib.request

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def session_members(sid: int) -> list[str]:
    """Command lines of the live processes in session `sid`."""
    members = []
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # Fields after the command name (which may hold spaces) start after the last ')': state ppid pgrp session.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == sid and fields[0] != "Z":
                members.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except (OSError, IndexError, ValueError):
            continue  # exited meanwhile
    return members


@contextlib.contextmanager
def run_sh(*options: str):
    """`bash ops/run.sh OPTIONS` in a session of its own, as a terminal gives it; yields (process, base URL, output lines)
    once it says it is running, then presses Ctrl-C (SIGINT to its process group) and waits for it to end."""
    run = subprocess.Popen(["bash", "ops/run.sh", *options], cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output = []
    try:
        url = None
        deadline = time.monotonic() + 300
        for line in run.stdout:
            output.append(line)
            if m := re.search(r"Customer site and support widget:\s+(http://127\.0\.0\.1:\d+)/", line):
                url = m.group(1)
            if "Press Ctrl-C to stop." in line or time.monotonic() > deadline:
                break
        assert url, "run.sh printed no URL:\n" + "".join(output[-40:])
        yield run, url, output
        os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in its terminal does
        rest, _ = run.communicate(timeout=60)
        output.append(rest)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()


def test_run_sh_starts_the_product_and_ctrl_c_stops_all_of_it(tmp_path):
    if os.environ.get("SWITCHBOARD_URL"):
        pytest.skip("runs only under ops/test.sh, which has built the debug binary")
    data = tmp_path / "data"
    with run_sh("--port", "0", "--redis-port", "0", "--data", str(data), "--build", "debug") as (run, url, output):
        with urllib.request.urlopen(url + "/health", timeout=5) as res:
            health = json.load(res)
        assert res.status == 200 and health["status"] == "ok" and health["redis"] == "ok", health
        with urllib.request.urlopen(url + "/", timeout=5) as res:
            assert res.status == 200 and b"/widget/widget.js" in res.read()
        members = session_members(run.pid)
        assert any("redis-server" in m for m in members) and any("switchboard serve" in m for m in members), members
    log = "".join(output)
    # 130 when the script's trap saw the interrupt first, 0 when the node (also interrupted) had already exited cleanly.
    assert run.returncode in (0, 130), f"run.sh exited {run.returncode}:\n{log[-3000:]}"
    assert "draining" in log, "the node was not stopped gracefully:\n" + log[-3000:]
    assert session_members(run.pid) == [], "left running after Ctrl-C"
    assert not (data / "redis.sock").exists(), "Redis did not shut down"
    assert (data / "redis.log").exists() and (data / "config.json").exists()


def test_hash_password_prints_a_hash_a_node_accepts():
    """`switchboard hash-password` (SPEC §1): the hash it prints, as an agent's passwordHash, logs that agent in."""
    binary = os.environ.get("SWITCHBOARD_BIN")
    if not binary:
        pytest.skip("runs under ops/test.sh, which has built the binary")
    out = subprocess.run([binary, "hash-password"], input="s3cret pass\n", capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    hashed = out.stdout.strip()
    assert hashed.startswith("pbkdf2-sha256$") and "s3cret" not in hashed
    empty = subprocess.run([binary, "hash-password"], input="", capture_output=True, text=True, timeout=60)
    assert empty.returncode != 0 and "no password" in empty.stderr
