"""Serve web/ with the URL layout the Switchboard server uses, for tests that need no backend.

/ -> web/site/index.html, /site/* /widget/* /shared/* -> the same folders, /agent/ -> web/agent/index.html.
Anything else is 404, so the widget's API calls fail the way they would against a server that is down.
Run by hand with `python3 Tests/browser/static_server.py [PORT]`.
"""

import http.server
import pathlib
import sys
import threading

WEB = pathlib.Path(__file__).resolve().parents[2] / "web"
FOLDERS = ("site", "widget", "agent", "shared")


def resolve(url_path: str) -> pathlib.Path | None:
    path = url_path.split("?", 1)[0].split("#", 1)[0]
    if path == "/":
        return WEB / "site" / "index.html"
    if path in ("/agent", "/agent/"):
        return WEB / "agent" / "index.html"
    parts = path.lstrip("/").split("/")
    if parts[0] not in FOLDERS or ".." in parts:
        return None
    target = (WEB.joinpath(*parts)).resolve()
    return target if target.is_file() and WEB in target.parents else None


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript", ".mjs": "text/javascript"}

    def translate_path(self, path):  # noqa: D401 - http.server hook
        target = resolve(path)
        return str(target) if target else str(WEB / "__missing__")

    def log_message(self, *args):  # keep test output clean
        pass


def start(port: int = 0) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Start in a daemon thread; returns the server (call .shutdown()) and its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


if __name__ == "__main__":
    srv, url = start(int(sys.argv[1]) if len(sys.argv) > 1 else 8099)
    print(f"serving {WEB} at {url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        srv.shutdown()
