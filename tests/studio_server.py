"""A real studio on a free loopback port, for the studio tests, and plain HTTP requests to it."""

from __future__ import annotations

import http.client
import json
from contextlib import contextmanager
from pathlib import Path

from triggerfilm.studio import StudioServer


@contextmanager
def running_studio(manifest: Path, out_dir: Path):
    server = StudioServer(manifest, port=0, out_dir=out_dir)
    server.studio.workspace()  # transcribe (or read the cache) before the first page asks
    server.start()
    try:
        yield server
    finally:
        server.stop()


def request(
    server: StudioServer,
    path: str,
    *,
    method: str = "GET",
    host: str | None = None,
    cookie: bool = True,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One raw HTTP request: the path is sent exactly as given (no normalising)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    sent = {"Host": host or f"127.0.0.1:{server.port}"}
    if cookie:
        sent["Cookie"] = f"triggerfilm_studio_{server.port}={server.token}"
    sent.update(headers or {})
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for key, value in sent.items():
        connection.putheader(key, value)
    if body is not None:
        connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    data = response.read()
    result = (response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    connection.close()
    return result


def post_json(server: StudioServer, path: str, payload: dict, **kwargs):
    headers = {"Content-Type": "application/json", "Origin": server.base}
    headers.update(kwargs.pop("headers", {}))
    status, got, data = request(
        server, path, method="POST", headers=headers, body=json.dumps(payload).encode(), **kwargs
    )
    return status, json.loads(data) if got.get("content-type", "").startswith(
        "application/json"
    ) else data
