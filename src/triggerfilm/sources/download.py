"""Safe downloads of archive media into the content-addressed cache.

triggerfilm is offline by default: this module is the only place that opens a network
connection, and only for a URL that a manifest or catalogue names. It refuses anything but
https (plain http only for an archive the manifest marks ``insecure: true``: a catalogue
supplies each clip's sha256 and permission, and over plain http anyone on the way could change
both, so the check would prove nothing), resumes an interrupted transfer with an HTTP Range
request, retries transient failures with exponential backoff, enforces a size limit, and moves a
file into the cache only after its SHA-256 matches, so nothing unverified is ever used.
"""

from __future__ import annotations

import http.client
import re
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .. import __version__
from ..errors import SourceError
from ..notices import Notice
from ..store import normalise_sha256, sha256_of
from .cache import ContentCache
from .local import file_sha256

DEFAULT_MAX_BYTES = 2 * 1024**3
_CHUNK = 64 * 1024
# Statuses that say "try again later" rather than "this will never work".
_TRANSIENT_STATUSES = {408, 425, 429, 500, 502, 503, 504}
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")

Progress = Callable[[int, "int | None"], None]


@dataclass
class HTTPStatusError(SourceError):
    """The server answered with an HTTP error status (``status``), e.g. 404 or 403."""

    status: int | None = None


class _Transient(Exception):
    """A failure worth retrying: the partial file keeps what arrived, for a Range resume."""


INSECURE_HINT = (
    "Use the archive's https:// address. Only if there is none and you trust every network "
    "between you and the server, mark the manifest's archive entry "
    "`NAME: {location: ..., insecure: true}` (triggerfilm then warns on every use)"
)


class InsecureURLError(SourceError):
    """An http:// address where only https:// is trusted."""


def check_url(url: str, *, insecure: bool = False) -> str:
    """Return ``url`` if it is an absolute https URL (or http with ``insecure``); raise
    SourceError otherwise.

    file:, ftp: and friends are refused so that a catalogue from the internet can never make
    triggerfilm read local files or speak other protocols; plain http is refused unless the
    archive is explicitly marked insecure (see the module notes).
    """
    parts = split_url(url)
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"} or not parts.hostname:
        raise SourceError(
            f"cannot download {url!r}: only https:// addresses are fetched",
            where=url,
            expected="an https:// URL",
            hint="Give an https:// address, or copy the file into the archive folder and refer "
            "to it by a relative path",
        )
    if parts.username is not None or parts.password is not None:
        # urllib would not send them anyway (it would look up "user:pw@host" as a host name),
        # and every message naming the URL would print the password.
        raise SourceError(
            "cannot download an address with a user name or password in it",
            where=_without_credentials(parts),
            expected="an https:// URL without user:password@",
            hint="Download the file by hand into the archive folder and refer to it by a "
            "relative path; never write a password into a catalogue or manifest",
        )
    if scheme == "http" and not insecure:
        raise InsecureURLError(
            f"refused to download {url!r} over plain http://: the catalogue's checksums and "
            "permissions prove nothing over an unencrypted connection",
            where=url,
            expected="an https:// URL",
            hint=INSECURE_HINT,
        )
    return url


def split_url(url: str) -> urllib.parse.SplitResult:
    """``url`` split into its parts, or SourceError for one that cannot be an address at all
    (``https://[::1/x``, a port of 99999, a control character), which urllib reports with a
    ValueError."""
    try:
        if not url.isprintable():
            raise ValueError("it contains a control character")
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 (a bad port is only found when asked for)
    except ValueError as problem:
        raise SourceError(
            f"{url!r} is not a valid address ({problem})",
            expected="an https:// URL such as https://archive.example.org/clips/",
            hint="Check the address for typing errors",
        ) from None
    return parts


def _without_credentials(parts: urllib.parse.SplitResult) -> str:
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"***@{host}"))


def download(
    url: str,
    sha256: str | None,
    cache: ContentCache | str | Path | None = None,
    *,
    timeout: float = 30,
    retries: int = 3,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
    backoff: float = 0.5,
    refresh: bool = False,
    insecure: bool = False,
    notices: list[Notice] | None = None,
) -> Path:
    """Download ``url`` into the cache and return the cached file's path.

    With ``sha256`` the download is verified against it, and a file already cached under that
    hash is returned without any network traffic once it is re-hashed (once per process, see
    ``file_sha256``): a cached copy damaged on disk is discarded and fetched again, never used,
    and a ``cache`` :class:`Notice` says so on ``notices`` when the caller collects them. Without
    it (a catalogue file), the URL index remembers which blob the URL gave, and that is reused
    unless ``refresh`` is true.

    ``retries`` is how many more attempts follow a failed one; the waits between them double
    from ``backoff`` seconds. ``timeout`` bounds connecting and each read. ``progress`` is
    called as ``progress(bytes_done, total_or_None)``. Plain http:// is refused (before even
    the cache is consulted) unless ``insecure``; so is a redirect from https to http.
    """
    check_url(url, insecure=insecure)
    store = ContentCache.of(cache)
    expected = _expected_hash(url, sha256)
    if expected is not None:
        hit = store.get(expected)
        if hit is not None:
            if file_sha256(hit) == expected:
                return hit
            if notices is not None:
                notices.append(
                    Notice(
                        "cache",
                        f"the cached copy {hit} no longer matches its sha256 (damaged on "
                        "disk); discarded, downloading it again",
                        where=url,
                    )
                )
            hit.unlink(missing_ok=True)
    elif not refresh:
        hit = store.lookup_url(url)
        if hit is not None:
            return hit

    part = store.new_partial()
    try:
        _fetch_with_retries(url, part, timeout, retries, max_bytes, progress, backoff, insecure)
        actual = sha256_of(part)
        if expected is not None and actual != expected:
            raise SourceError(
                f"checksum mismatch: expected sha256 {expected}, got {actual}; the download "
                "was discarded",
                where=url,
                hint="The file at this address is not the one the catalogue describes; ask the "
                "archive whether it changed, and update the catalogue's sha256 only if you "
                "trust the new file",
            )
        path = store.adopt(part, actual)
        if expected is None:
            store.remember_url(url, actual)
        return path
    finally:
        # Whatever happened, no partial data outlives this call (adopt moved it on success).
        part.unlink(missing_ok=True)


def _expected_hash(url: str, sha256: str | None) -> str | None:
    if sha256 is None:
        return None
    try:
        return normalise_sha256(sha256)
    except ValueError:
        raise SourceError(
            f"bad sha256 {sha256!r} for {url}",
            where=url,
            field="sha256",
            expected="64 hexadecimal digits",
            hint="Copy the hash exactly as `sha256sum` prints it",
        ) from None


def _fetch_with_retries(
    url: str,
    part: Path,
    timeout: float,
    retries: int,
    max_bytes: int,
    progress: Progress | None,
    backoff: float,
    insecure: bool,
) -> None:
    opener = urllib.request.build_opener(_HttpOnlyRedirects(insecure))
    attempts = max(0, retries) + 1
    for attempt in range(attempts):
        try:
            _fetch_once(opener, url, part, timeout, max_bytes, progress)
            return
        except _Transient as problem:
            if attempt == attempts - 1:
                raise SourceError(
                    f"download failed after {attempts} attempt(s): {problem}",
                    where=url,
                    hint="Check the network connection and that the server is up, then run the "
                    "command again",
                ) from None
            time.sleep(min(backoff * 2**attempt, 30.0))


def _fetch_once(
    opener: urllib.request.OpenerDirector,
    url: str,
    part: Path,
    timeout: float,
    max_bytes: int,
    progress: Progress | None,
) -> None:
    """One HTTP request; appends to ``part``, resuming from what an earlier attempt left."""
    offset = part.stat().st_size
    headers = {"User-Agent": f"triggerfilm/{__version__}", "Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    request = urllib.request.Request(url, headers=headers)
    try:
        response = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        error.close()
        if error.code == 416 and offset:
            # Our partial file no longer fits the remote one: start again from nothing.
            part.write_bytes(b"")
            raise _Transient("server rejected the resume range") from None
        if error.code in _TRANSIENT_STATUSES:
            raise _Transient(f"HTTP {error.code} {error.reason}") from None
        reason = str(error.reason)
        if reason.startswith(urllib.request.HTTPRedirectHandler.inf_msg):
            # urllib's own words here run over three lines.
            reason = "redirect in a loop, or too many redirects"
        raise _status_error(url, error.code, " ".join(reason.split())) from None
    except ValueError as error:
        # A redirect whose Location cannot be parsed (http://[::1/x): urllib raises
        # ValueError before any redirect handler sees it.
        raise SourceError(
            f"the server sent an address that cannot be followed ({error})",
            where=url,
            hint="The archive's server is misconfigured; tell its maintainers",
        ) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, ssl.SSLCertVerificationError):
            raise SourceError(
                f"the server's TLS certificate could not be verified ({error.reason.reason})",
                where=url,
                hint="Check the address; do not download archive media over an untrusted "
                "connection",
            ) from None
        raise _Transient(f"cannot connect: {error.reason}") from None
    except (TimeoutError, ConnectionError, http.client.HTTPException, OSError) as error:
        raise _Transient(f"cannot connect: {error or type(error).__name__}") from None

    with response:
        offset, total, length = _plan_body(response, part, offset)
        if total is not None and total > max_bytes:
            raise _too_big(url, f"the server reports {total} bytes", max_bytes)
        done = offset
        received = 0
        try:
            with part.open("ab") as out:
                while chunk := response.read(_CHUNK):
                    done += len(chunk)
                    received += len(chunk)
                    if done > max_bytes:
                        raise _too_big(url, f"more than {max_bytes} bytes arrived", max_bytes)
                    out.write(chunk)
                    if progress is not None:
                        progress(done, total)
        except (TimeoutError, ConnectionError, http.client.HTTPException, OSError) as error:
            raise _Transient(
                f"transfer interrupted after {done} bytes: {error or type(error).__name__}"
            ) from None
    if length is not None and received < length:
        raise _Transient(
            f"the server closed the connection after {done} of {total} bytes (truncated)"
        )


def _plan_body(
    response: http.client.HTTPResponse, part: Path, offset: int
) -> tuple[int, int | None, int | None]:
    """Decide where this response's body goes; return (offset, total size, body length)."""
    length_header = response.headers.get("Content-Length")
    length = int(length_header) if length_header and length_header.isdigit() else None
    if response.status == 206:
        match = _CONTENT_RANGE.fullmatch((response.headers.get("Content-Range") or "").strip())
        start = int(match.group(1)) if match else None
        if start != offset:
            # A range we did not ask for: safest to throw away the partial file and restart.
            part.write_bytes(b"")
            raise _Transient("server answered a different range than was asked for")
        assert match is not None  # start == offset, so the header matched
        total = int(match.group(3)) if match.group(3) != "*" else None
        return offset, total, length
    if offset:
        # The server ignored our Range header and is sending the whole file (200): restart.
        part.write_bytes(b"")
    return 0, length, length


def _status_error(url: str, status: int, reason: str) -> HTTPStatusError:
    hints = {
        404: "Nothing is at this address; check the URL in the catalogue or manifest, or ask the "
        "archive where the file moved",
        410: "The archive has removed this file; ask it for a replacement",
        401: "The server wants a login; download the file by hand into the archive folder and "
        "refer to it by a relative path",
        403: "The server refused access; check that you have the archive's permission to "
        "download it",
    }
    return HTTPStatusError(
        f"the server answered HTTP {status} {reason}".rstrip(),
        where=url,
        hint=hints.get(status, "Check the URL in the catalogue or manifest"),
        status=status,
    )


def _too_big(url: str, what: str, max_bytes: int) -> SourceError:
    return SourceError(
        f"refused: {what}, over the {max_bytes}-byte limit",
        where=url,
        hint="Check that the URL points at the clip you expect, or raise the size limit",
    )


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to https (or http when insecure): urllib alone would follow one
    to ftp://, or quietly from https down to plain http."""

    def __init__(self, insecure: bool) -> None:
        super().__init__()
        self.insecure = insecure

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        try:
            check_url(newurl, insecure=self.insecure)
        except InsecureURLError:
            raise _status_error(
                req.full_url, code, f"redirect to a plain http:// address {newurl}"
            ) from None
        except SourceError:
            raise _status_error(
                req.full_url, code, f"redirect to a non-http address {newurl}"
            ) from None
        return super().redirect_request(req, fp, code, msg, headers, newurl)
