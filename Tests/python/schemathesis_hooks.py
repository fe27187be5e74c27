"""A check of our own for the schemathesis runs of test_openapi_schemathesis.py, which loads this module through
SCHEMATHESIS_HOOKS (it is not a test module itself).

`origin_rule`, SPEC §3's origin rule, which OpenAPI cannot say: a request whose `Origin` is not in
`security.allowedOrigins` is answered 403 `UNAUTHORIZED`; one from an allowed origin is served (never 403) with
`Access-Control-Allow-Origin` naming that origin, errors included; one without `Origin` is never refused as foreign.
The node's allowed origins come from SWITCHBOARD_ALLOWED_ORIGINS, separated by spaces.
"""

from __future__ import annotations

import json
import os

import schemathesis


@schemathesis.check
def origin_rule(ctx, response, case):
    origin = response.request.headers.get("Origin")
    status = response.status_code
    if origin is None:
        if status == 403:
            raise AssertionError("a request without Origin was answered 403")
        return None
    if origin in os.environ["SWITCHBOARD_ALLOWED_ORIGINS"].split():
        if status == 403:
            raise AssertionError(f"a request from the allowed origin {origin} was answered 403")
        echoed = (response.headers.get("access-control-allow-origin") or [None])[0]
        if echoed != origin:
            raise AssertionError(f"Access-Control-Allow-Origin is {echoed!r}, not the allowed origin {origin!r} (status {status})")
        return None
    try:
        code = json.loads(response.content)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = None
    if status != 403 or code != "UNAUTHORIZED":
        raise AssertionError(f"a request from the foreign origin {origin!r} was answered {status} {code or ''}, not 403 UNAUTHORIZED")
    return None
