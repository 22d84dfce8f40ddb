"""Who may talk to the studio: the person who started it, from this machine, and nobody else.

The studio serves interviews with patients, so a local port is not private enough on its own:
any web page the same person visits could send requests to 127.0.0.1, and a rebinding DNS name
could make the browser treat the studio as that page's own site. Every request therefore needs

- a ``Host`` header naming the address the studio was bound to (a rebound name is refused);
- the session key: the random token printed in the URL, which the first request exchanges for
  an ``HttpOnly``, ``SameSite=Strict`` cookie (other sites' requests do not carry it);
- for anything that changes state, an ``Origin`` of the studio itself.

Responses carry a strict Content-Security-Policy (scripts, styles and media from the studio
only, no framing), so nothing on a page can reach the network either.
"""

from __future__ import annotations

import contextlib
import hmac
import socket
from collections.abc import MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import URL, Headers
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

SAFE_METHODS = ("GET", "HEAD")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self'; connect-src 'self'; font-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


def allowed_hosts(host: str, port: int) -> set[str]:
    """The ``Host`` values a browser sends for the bound address."""
    names = {host}
    if host in ("127.0.0.1", "::1", "localhost"):
        names |= {"127.0.0.1", "localhost"}
    elif host in ("0.0.0.0", "::"):
        # Every address of this machine (only with --host, which warns): its name and its IPs.
        names |= {"127.0.0.1", "localhost", *machine_names()}
    shown = {f"[{name}]" if ":" in name else name for name in names}
    return {f"{name}:{port}" for name in shown}


def machine_names() -> set[str]:
    name = socket.gethostname()
    names = {name, socket.getfqdn()}
    with contextlib.suppress(OSError):
        names |= {str(info[4][0]) for info in socket.getaddrinfo(name, None)}
    return names


class Guard:
    """ASGI middleware enforcing Host, session key and Origin on every request."""

    def __init__(self, app: ASGIApp, *, token: str, host: str, port: int) -> None:
        self.app = app
        self.token = token
        self.hosts = allowed_hosts(host, port)
        self.origins = {f"http://{h}" for h in self.hosts}
        self.cookie = f"triggerfilm_studio_{port}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self._refuse(scope, headers)
        if refusal is not None:
            await _secured(refusal)(scope, receive, send)
            return

        async def send_secured(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                present = {k.decode().lower() for k, _ in raw}
                raw += [(k.encode(), v.encode()) for k, v in HEADERS.items() if k not in present]
                message = {**message, "headers": raw}
            await send(message)

        await self.app(scope, receive, send_secured)

    def _refuse(self, scope: Scope, headers: Headers) -> Response | None:
        if headers.get("host", "") not in self.hosts:
            # DNS rebinding: a page on another name reaching this port. Say nothing more.
            return PlainTextResponse("Misdirected request: unknown host.\n", status_code=421)
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        given = query.get("token")
        if given is not None and hmac.compare_digest(given.encode(), self.token.encode()):
            if scope["method"] not in SAFE_METHODS:
                return PlainTextResponse("The key goes in a page address.\n", status_code=403)
            # Exchange the key in the address for a cookie, and take it out of the address bar
            # (and so out of the history and of any link copied from the page).
            del query["token"]
            url = URL(scope=scope).replace(query=urlencode(query))
            target = url.path + (f"?{url.query}" if url.query else "")
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(self.cookie, self.token, httponly=True, samesite="strict", path="/")
            return response
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # a malformed cookie header is no key
            cookie = SimpleCookie()
        held = cookie.get(self.cookie)
        if held is None or not hmac.compare_digest(held.value.encode(), self.token.encode()):
            return PlainTextResponse(
                "This studio needs its key. Open the address the `triggerfilm studio` command "
                "printed (it ends in ?token=...).\n",
                status_code=401,
            )
        if scope["method"] not in SAFE_METHODS:
            origin = headers.get("origin")
            if origin not in self.origins or headers.get("sec-fetch-site", "same-origin") not in (
                "same-origin",
                "none",
            ):
                return PlainTextResponse("Cross-site request refused.\n", status_code=403)
        return None


def _secured(response: Response) -> Response:
    for key, value in HEADERS.items():
        response.headers.setdefault(key, value)
    return response
