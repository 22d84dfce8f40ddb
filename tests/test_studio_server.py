"""The studio on the tiny project, fast: a real server on a loopback port, plain HTTP requests.

Who may talk to it (the key, the Host and Origin checks), what its pages and JSON API answer,
media by clip id with Range requests, the board's changes and conflicts, corrections, and a
render started from the page. The same checks on the real demo interviews are in
test_studio_security.py and test_studio_board.py (slow).
"""

from __future__ import annotations

import json
import re
import socket

import pytest
from click.testing import CliRunner

from tests.studio_server import post_json, request, running_studio
from tests.tiny_project import tiny_project
from triggerfilm.cli import cli
from triggerfilm.errors import TriggerfilmError
from triggerfilm.manifest.load import load_manifest
from triggerfilm.studio import StudioServer


@pytest.fixture
def project(tmp_path, monkeypatch):
    return tiny_project(tmp_path, monkeypatch)


@pytest.fixture
def studio(project, tmp_path):
    """A studio of its own, for tests that change the manifest or the output folder."""
    with running_studio(project.manifest, tmp_path / "out") as server:
        yield server


@pytest.fixture(scope="module")
def reading(tmp_path_factory):
    """One studio shared by the tests that only read."""
    folder = tmp_path_factory.mktemp("studio-reading")
    with pytest.MonkeyPatch.context() as patch:
        project = tiny_project(folder, patch)
        with running_studio(project.manifest, folder / "out") as server:
            yield server


def _board(studio) -> dict:
    status, headers, body = request(studio, "/api/board")
    assert status == 200 and headers["content-type"] == "application/json"
    return json.loads(body)


def test_the_key_host_and_origin_guard_every_request(reading) -> None:
    assert reading.host == "127.0.0.1"
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]{32}", reading.url)
    for path in ("/", "/clips", "/api/board", "/media/ward", "/static/studio.js"):
        status, _, body = request(reading, path, cookie=False)
        assert status == 401, path
        assert b"Nights" not in body
    # The key in the address becomes a strict cookie and leaves the address bar.
    status, headers, _ = request(reading, f"/clips?token={reading.token}", cookie=False)
    assert (status, headers["location"]) == (303, "/clips")
    cookie = headers["set-cookie"]
    assert f"triggerfilm_studio_{reading.port}={reading.token}" in cookie
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    assert request(reading, f"/api/board?token={reading.token}x", cookie=False)[0] == 401
    # A rebound host name is refused even with the key; localhost is this machine.
    for host in (f"evil.example:{reading.port}", f"127.0.0.1:{reading.port + 1}"):
        assert request(reading, "/api/board", host=host)[0] == 421, host
    assert request(reading, "/api/board", host=f"localhost:{reading.port}")[0] == 200
    # Changes need the studio's own origin.
    change = {
        "sha256": _board(reading)["sha256"],
        "change": {"kind": "add-touchpoint", "title": "X"},
    }
    for origin in ("http://evil.example", "null"):
        assert post_json(reading, "/api/change", change, headers={"Origin": origin})[0] == 403
    assert (
        post_json(reading, "/api/change", change, headers={"Sec-Fetch-Site": "cross-site"})[0]
        == 403
    )
    assert request(reading, "/api/change", method="POST", body=b"{}")[0] == 403  # no Origin
    assert "title: X" not in reading.studio.manifest.read_text(encoding="utf-8")


def test_pages_show_the_project_and_forbid_outside_resources(reading) -> None:
    status, headers, body = request(reading, "/")
    assert status == 200
    assert b"Nights on the ward" in body and b"Going home" in body
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert not re.search(rb"(src|href)=\"(https?:)?//", body)
    clips = request(reading, "/clips")[2].decode()
    assert "Ann" in clips and "Bob" in clips
    # Who each narrator is, as the manifest describes them (it gives no role).
    assert "<td>patient</td>" in clips and "<td>relative</td>" in clips
    assert clips.count("<td>unknown</td>") == 2
    clip = request(reading, "/clips/ward?t=1.5")[2].decode()
    assert 'data-i="3"' in clip and "Nurses" in clip
    assert "patient · role unknown" in clip
    assert "in “Nights on the ward” · 2.3 s" in clip  # where the film uses it, and for how long
    assert request(reading, "/clips/nobody")[0] == 404
    assert request(reading, "/clips/ward?t=soon")[0] == 200  # a bad time starts at the top
    consent = request(reading, "/consent?use=training")[2].decode()
    assert "training" in consent and "Ann" in consent
    assert request(reading, "/consent?use=bogus")[0] == 200  # an unknown use shows the default
    found = request(reading, "/search?q=nurses+helped")[2].decode()
    assert "Nurses" in found and "ward" in found
    assert request(reading, "/preview")[0] == 200
    status, headers, body = request(reading, "/static/studio.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert "private" in headers["cache-control"]


def test_the_json_api_answers_with_the_plan_and_the_preview(reading) -> None:
    board = _board(reading)
    passages = [p for tp in board["touchpoints"] for p in tp["passages"]]
    assert [p["text"] for p in passages] == [
        "Nights were long. Nurses helped.",
        "Going home was hard.",
    ]
    assert board["problem"] is None and board["refused"] == []
    plan = json.loads(request(reading, "/api/plan")[2])
    assert [t["title"] for t in plan["touchpoints"]] == ["Nights on the ward", "Going home"]
    assert [t["cuts"] for t in plan["touchpoints"]] == [1, 1]
    preview = json.loads(request(reading, "/api/preview")[2])
    assert [e["clip"] for e in preview["entries"]] == ["ward", "home"]
    assert preview["duration"] == pytest.approx(3.92, abs=0.1)
    status, headers, vtt = request(reading, "/api/preview.vtt")
    assert status == 200 and headers["content-type"].startswith("text/vtt")
    assert vtt.startswith(b"WEBVTT") and b"Going home was hard." in vtt


def test_media_is_served_by_clip_id_with_ranges_and_no_path_reaches_the_disk(reading) -> None:
    data = reading.studio.workspace().media["ward"].read_bytes()
    status, headers, body = request(reading, "/media/ward", headers={"Range": "bytes=10-109"})
    assert status == 206 and body == data[10:110]
    assert headers["content-range"] == f"bytes 10-109/{len(data)}"
    assert headers["content-type"] == "video/mp4"
    for path in (
        "/../../etc/passwd",
        "/media/..%2F..%2Fetc%2Fpasswd",
        "/media/ward.mp4",
        "/media/" + str(reading.studio.workspace().media["ward"]).replace("/", "%2F"),
        "/static/..%2Fserver.py",
        "/film/..%2Ftiny.yaml",
        "/film/tiny.yaml",
        "/film/film.mp4",  # a name it may serve, but no film is made yet
    ):
        status, _, body = request(reading, path)
        assert status == 404, path
        assert b"root:" not in body and len(body) < 100


def test_a_change_is_saved_and_a_stale_one_gets_the_diff(studio) -> None:
    sha = _board(studio)["sha256"]
    change = {"kind": "add-passage", "touchpoint": "1", "clip": "ward", "first": "0", "last": "2"}
    status, answer = post_json(studio, "/api/change", {"sha256": sha, "change": change})
    assert status == 200 and "Going home" in answer["saved"]
    assert answer["board"]["touchpoints"][1]["passages"][-1]["text"] == "Nights were long."
    assert load_manifest(studio.studio.manifest).touchpoints[1].selections[-1].clip == "ward"
    # The same change made on the version the page had before is refused with what changed.
    status, answer = post_json(studio, "/api/change", {"sha256": sha, "change": change})
    assert status == 409 and answer["conflict"] is True
    added = [line for line in answer["diff"].splitlines() if line.startswith("+ ")]
    assert any("clip: ward" in line for line in added), answer["diff"]
    assert answer["sha256"] != sha
    status, answer = post_json(
        studio,
        "/api/change",
        {"sha256": answer["sha256"], "change": {"kind": "remove-touchpoint", "index": 0}},
    )
    assert status == 400 and "still has passages" in answer["error"]
    status, answer = post_json(studio, "/api/change", {"sha256": sha, "change": {"kind": "fly"}})
    assert status == 400 and "malformed change" in answer["error"]


def test_a_broken_manifest_is_named_and_the_studio_recovers(studio) -> None:
    path = studio.studio.manifest
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("title: Going home", "title: [Going home"), encoding="utf-8")
    status, _, body = request(studio, "/")
    assert status == 500 and b"tiny.yaml:" in body and b"Traceback" not in body
    status, _, body = request(studio, "/api/board")
    assert status == 500 and "tiny.yaml:" in json.loads(body)["error"]
    path.write_text(good, encoding="utf-8")
    assert request(studio, "/")[0] == 200


def test_corrections_need_a_known_clip_and_words(reading) -> None:
    folder = reading.studio.manifest.with_suffix(".corrections")
    status, answer = post_json(reading, "/api/correct/nobody", {"text": "Some words."})
    assert status == 404 and "nobody" in answer["error"]
    status, answer = post_json(reading, "/api/correct/ward", {"words": "no text key"})
    assert status == 400 and "malformed" in answer["error"]
    status, answer = post_json(reading, "/api/correct/ward", {"text": "# only a comment"})
    assert status == 400 and "no words" in answer["error"]
    assert not folder.exists()


def test_render_from_the_page_streams_progress_and_serves_the_film(studio) -> None:
    status, answer = post_json(studio, "/api/render", {"use": "nowhere"})
    assert status == 400 and "nowhere" in answer["error"]
    status, answer = post_json(studio, "/api/render", {"preview": False})
    assert status == 202 and answer == {"started": True}
    _, headers, stream = request(studio, "/api/render/events")
    assert headers["content-type"].startswith("text/event-stream")
    events = [
        json.loads(line[6:]) for line in stream.decode().splitlines() if line.startswith("data: {")
    ]
    finished = [e for e in events if e.get("finished")]
    assert finished, events
    assert finished[0]["film"] == "/film/film.mp4" and finished[0]["cues"] >= 2
    # The captions are checked as `check-subs` would: nothing that stops the film.
    assert all(f["severity"] != "error" for f in finished[0]["findings"]), finished[0]
    assert any(e.get("stage") for e in events)
    status, headers, body = request(studio, "/film/film.mp4", headers={"Range": "bytes=4-11"})
    assert status == 206 and body == b"ftypisom"
    assert b"Going home was hard." in request(studio, "/film/film.vtt")[2]


def test_the_server_binds_loopback_and_a_taken_port_is_a_clear_error(project, tmp_path) -> None:
    server = StudioServer(project.manifest, out_dir=tmp_path / "out")
    try:
        assert server.host == "127.0.0.1" and server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}/?token={server.token}"
        assert server.studio.out_dir == (tmp_path / "out").resolve()
    finally:
        server.socket.close()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(TriggerfilmError, match=f"cannot listen on 127.0.0.1:{port}"):
            StudioServer(project.manifest, port=port)


def test_the_studio_command_warns_before_listening_beyond_this_machine(project) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = [
            "studio",
            str(project.manifest),
            "--host",
            "0.0.0.0",
            "--port",
            str(port),
            "--no-browser",
        ]
        result = CliRunner().invoke(cli, args)
    assert "warning: listening on 0.0.0.0" in result.output
    assert result.exit_code == 2
    assert f"cannot listen on 0.0.0.0:{port}" in result.output
    assert "Traceback" not in result.output


def test_the_search_page_shows_what_reading_the_archives_noticed(
    project, tmp_path, http_server
) -> None:
    # An archive over plain http:// (allowed by `insecure: true`) is worth a warning on every
    # use; the command line prints it, and the studio's search (which reads every archive of
    # the manifest, used or not) must show it too.
    http_server.add(
        "/a/catalogue.yaml",
        b"archive:\n  name: remote test\n  attribution: Synthetic.\nclips:\n"
        b"  - id: C1\n    interview: INT01\n    title: Nights at home\n"
        b"    media_type: text-only\n    transcript: Nights were quiet at home.\n"
        b"    narrator: {descriptor: 'woman, 40s', role: patient}\n"
        b"    permission: Synthetic sample.\n",
    )
    text = project.manifest.read_text(encoding="utf-8")
    entry = f"archives:\n  remote: {{location: {http_server.url('/a/')}, insecure: true}}\n"
    project.manifest.write_text(text.replace("clips:\n", entry + "clips:\n", 1))
    with running_studio(project.manifest, tmp_path / "out") as server:
        status, _, body = request(server, "/search?q=nights")
        page = body.decode()
        assert status == 200 and "were quiet at home" in page
        assert 'class="warnings"' in page and "read over plain http://" in page
        # Without the archive's warning there is no empty warnings list on the page.
        project.manifest.write_text(text)
        status, _, body = request(server, "/search?q=nights")
        assert status == 200 and b'class="warnings"' not in body
