"""The studio serves patients' interviews: only the person who started it may reach them.

Plain HTTP against a real studio on a loopback port: the key, the Host check (DNS rebinding),
the Origin check (cross-site requests), media only by clip id with working Range requests, and
no request path that reaches the file system.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from tests.conftest import CLIPS, demo_copy
from tests.studio_server import post_json, request, running_studio

# Each test opens the demo workspace, which transcribes the sample clips on a cold cache.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    folder = tmp_path_factory.mktemp("studio-security")
    with running_studio(demo_copy(folder), folder / "out") as server:
        yield server


def test_binds_loopback_with_a_fresh_key(studio) -> None:
    assert studio.host == "127.0.0.1"
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]{32}", studio.url)
    assert studio.token not in studio.base


def test_every_request_needs_the_key(studio) -> None:
    for path in ("/", "/clips", "/api/board", "/media/icu03", "/static/studio.js"):
        status, _, body = request(studio, path, cookie=False)
        assert status == 401, path
        assert b"icu03" not in body and b"ICU03" not in body
    status, _, _ = request(
        studio, "/api/board", cookie=False, headers={"Cookie": "triggerfilm_studio_1=wrong"}
    )
    assert status == 401
    wrong = f"triggerfilm_studio_{studio.port}={studio.token[:-1]}x"
    assert request(studio, "/api/board", cookie=False, headers={"Cookie": wrong})[0] == 401


def test_the_key_in_the_address_becomes_a_strict_cookie(studio) -> None:
    status, headers, _ = request(studio, f"/clips?token={studio.token}", cookie=False)
    assert status == 303
    assert headers["location"] == "/clips"  # the key leaves the address bar
    cookie = headers["set-cookie"]
    assert f"triggerfilm_studio_{studio.port}={studio.token}" in cookie
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    status, _, _ = request(studio, "/clips?token=not-the-key", cookie=False)
    assert status == 401


def test_a_foreign_host_is_refused_even_with_the_key(studio) -> None:
    for host in (f"evil.example:{studio.port}", "127.0.0.1", f"127.0.0.1:{studio.port + 1}"):
        status, _, body = request(studio, "/api/board", host=host)
        assert status == 421, host
        assert b"ICU03" not in body
    assert request(studio, "/api/board", host=f"localhost:{studio.port}")[0] == 200


def test_changes_need_the_studios_own_origin(studio) -> None:
    board = request(studio, "/api/board")
    sha = __import__("json").loads(board[2])["sha256"]
    change = {"sha256": sha, "change": {"kind": "add-touchpoint", "title": "Forged"}}
    for origin in ("http://evil.example", "null", f"http://127.0.0.1:{studio.port + 1}"):
        status, _ = post_json(studio, "/api/change", change, headers={"Origin": origin})
        assert status == 403, origin
    status, _ = post_json(studio, "/api/change", change, headers={"Sec-Fetch-Site": "cross-site"})
    assert status == 403
    status, _, _ = request(studio, "/api/change", method="POST", body=b"{}")  # no Origin at all
    assert status == 403
    assert "Forged" not in studio.studio.manifest.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "path",
    [
        "/../../etc/passwd",
        "/media/../../etc/passwd",
        "/media/..%2F..%2Fetc%2Fpasswd",
        "/static/..%2F..%2F..%2Fetc%2Fpasswd",
        "/static/../server.py",
        "/film/..%2Fdemo.yaml",
        "/film/demo.yaml",
        "/media/" + str(CLIPS / "ICU03-01.mp4").replace("/", "%2F"),
        "/media/ICU03-01.mp4",
    ],
)
def test_no_path_reaches_the_file_system(studio, path: str) -> None:
    status, _, body = request(studio, path)
    assert status == 404, path
    assert b"root:" not in body and len(body) < 100


def test_media_by_clip_id_with_range_requests(studio) -> None:
    size = (CLIPS / "ICU03-01.mp4").stat().st_size
    status, headers, body = request(studio, "/media/icu03", headers={"Range": "bytes=100-1099"})
    assert status == 206
    assert headers["content-range"] == f"bytes 100-1099/{size}"
    assert headers["content-type"] == "video/mp4"
    assert body == (CLIPS / "ICU03-01.mp4").read_bytes()[100:1100]
    status, headers, body = request(
        studio, "/media/icu03", headers={"Range": f"bytes={size - 10}-"}
    )
    assert status == 206 and len(body) == 10
    assert headers["content-range"] == f"bytes {size - 10}-{size - 1}/{size}"
    status, _, _ = request(studio, "/media/icu15", headers={"Range": "bytes=0-0"})
    assert status == 206


def test_pages_forbid_outside_resources(studio) -> None:
    status, headers, body = request(studio, "/")
    assert status == 200
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    # Every asset is the studio's own: no CDN, no other host anywhere in a page.
    assert not re.search(rb"(src|href)=\"(https?:)?//", body)


def test_another_address_needs_the_flag_and_warns(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from triggerfilm.cli import cli

    manifest = demo_copy(tmp_path)
    # The port is taken, so the command stops after its warning instead of serving.
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = ["studio", str(manifest), "--host", "0.0.0.0", "--port", str(port), "--no-browser"]
        result = CliRunner().invoke(cli, args)
    assert "warning: listening on 0.0.0.0" in result.output
    assert "other computers on the network" in result.output
    assert result.exit_code == 2
    assert f"cannot listen on 0.0.0.0:{port}" in result.output
    assert "Traceback" not in result.output


def test_corrections_need_the_studios_own_origin_and_a_known_clip(studio) -> None:
    folder = studio.studio.manifest.parent / f"{studio.studio.manifest.stem}.corrections"
    body = {"text": "Forged words."}
    status, _ = post_json(
        studio, "/api/correct/icu03", body, headers={"Origin": "http://evil.example"}
    )
    assert status == 403
    status, _, _ = request(studio, "/api/correct/icu03", method="POST", body=b"{}")  # no Origin
    assert status == 403
    status, answer = post_json(studio, "/api/correct/nosuchclip", body)
    assert status == 404 and "nosuchclip" in answer["error"]
    status, answer = post_json(studio, "/api/correct/icu03", {"words": "no text key"})
    assert status == 400 and "malformed" in answer["error"]
    status, answer = post_json(studio, "/api/correct/icu03", {"text": "# only a comment"})
    assert status == 400 and "no words" in answer["error"]
    assert not folder.exists()  # nothing stored by any of them
