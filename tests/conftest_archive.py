"""A real HTTP(S) server on 127.0.0.1 for the archive download tests.

Each route can misbehave on purpose (stall, cut the body short, ignore Range, answer 404), and
every request is recorded, so the tests can prove what the downloader actually sent.

With ``tls`` (a ``trustme.CA``) it speaks https with a certificate for 127.0.0.1 signed by that
test authority; a client trusts it when ``SSL_CERT_FILE`` names the authority's certificate,
which OpenSSL reads for every new connection, so the downloader needs no test-only hook.
"""

from __future__ import annotations

import hashlib
import re
import ssl
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from triggerfilm.sources.cache import ContentCache


@dataclass
class Route:
    body: bytes
    # The first `delay_requests` requests wait `delay` seconds before answering.
    delay: float = 0.0
    delay_requests: int = 0
    # The first `truncate_requests` answers (-1: all) stop after `truncate_at` body bytes,
    # although Content-Length promised the whole remaining body, then close the connection.
    truncate_at: int = 0
    truncate_requests: int = 0
    ignore_range: bool = False
    send_length: bool = True
    claimed_length: int | None = None  # a Content-Length to claim instead of the real one
    # The first `fail_requests` requests (-1: all) answer HTTP `fail_status` instead.
    fail_status: int = 0
    fail_requests: int = 0
    redirect: str | None = None  # answer 302 to this Location
    hits: int = 0


@dataclass
class Seen:
    path: str
    range: str | None


class ArchiveServer:
    def __init__(self, tls=None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server._answer(self)

            def log_message(self, *args) -> None:
                pass  # keep test output quiet

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.scheme = "http"
        if tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.issue_cert("127.0.0.1").configure_cert(context)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        # A stalled handler still writing when the client has given up must not spam stderr.
        self._httpd.handle_error = lambda request, address: None
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        self.running = True

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes, **options) -> Route:
        route = Route(body=body, **options)
        self.routes[path] = route
        return route

    def requests_for(self, path: str) -> list[Seen]:
        return [seen for seen in self.requests if seen.path == path]

    def stop(self) -> None:
        if self.running:
            self._httpd.shutdown()
            self._httpd.server_close()
            self.running = False

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        range_header = handler.headers.get("Range")
        self.requests.append(Seen(handler.path, range_header))
        route = self.routes.get(handler.path)
        if route is None:
            handler.send_error(404, "Not Found")
            return
        route.hits += 1
        if route.hits <= route.delay_requests:
            time.sleep(route.delay)
        if route.fail_requests == -1 or route.hits <= route.fail_requests:
            handler.send_error(route.fail_status)
            return
        if route.redirect is not None:
            handler.send_response(302)
            handler.send_header("Location", route.redirect)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", range_header or "")
        if match and not route.ignore_range:
            start = int(match.group(1))
        body = route.body[start:]
        handler.send_response(206 if start else 200)
        if start:
            handler.send_header(
                "Content-Range", f"bytes {start}-{len(route.body) - 1}/{len(route.body)}"
            )
        if route.send_length:
            length = route.claimed_length if route.claimed_length is not None else len(body)
            handler.send_header("Content-Length", str(length))
        handler.end_headers()
        truncating = route.truncate_requests == -1 or route.hits <= route.truncate_requests
        if truncating:
            body = body[: route.truncate_at]
        try:
            handler.wfile.write(body)
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (size limit, timeout): that is what is being tested
        if truncating:
            handler.close_connection = True


# --- fixtures shared by the archive test modules (import them by name) -------------------------


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def line_of(text: str, snippet: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if snippet in line)


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch):
    # urllib honours *_proxy variables; loopback must never go through a proxy in CI.
    for name in (
        "http_proxy",
        "https_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def test_ca():
    trustme = pytest.importorskip(
        "trustme", reason="the https tests need trustme (pip install -e '.[dev]')"
    )
    return trustme.CA()


@pytest.fixture
def ca_file(test_ca, tmp_path, monkeypatch) -> Path:
    """The test authority's certificate, trusted by this process (and children given it)."""
    path = tmp_path / "test-ca.pem"
    test_ca.cert_pem.write_to_path(str(path))
    monkeypatch.setenv("SSL_CERT_FILE", str(path))
    return path


@pytest.fixture
def https_server(test_ca, ca_file):
    """An https archive server whose certificate the downloader trusts, as a real one would be."""
    running = ArchiveServer(tls=test_ca)
    yield running
    running.stop()


@pytest.fixture
def http_server():
    """A plain http server: only an archive marked insecure may use it."""
    running = ArchiveServer()
    yield running
    running.stop()


@pytest.fixture
def cache(tmp_path) -> ContentCache:
    return ContentCache(tmp_path / "cache")
