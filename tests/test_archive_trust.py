"""Archive trust: https or a folder only, plain http only when the manifest says insecure (and
then a warning every time), and folder catalogues that cannot reach outside their folder.

Real loopback servers (https with a test certificate authority, and plain http), the real
command line in a subprocess where exit codes and messages are the point.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from tests.conftest_archive import ArchiveServer, line_of, sha
from triggerfilm.errors import SourceError
from triggerfilm.notices import Notice
from triggerfilm.sources.catalogue import fetch_media, load_catalogue
from triggerfilm.sources.download import download

MEDIA = b"not really a film, but bytes with a known hash"


def catalogue(media: str, sha256: str | None = None) -> str:
    return textwrap.dedent(
        f"""\
        archive:
          name: trust test
          attribution: "Synthetic test clips."
        clips:
          - id: C1
            interview: INT01
            title: "A clip"
            media: {media}
            sha256: {sha256 or sha(MEDIA)}
            media_type: video
            narrator:
              descriptor: "woman, 40s, patient"
              role: patient
            permission: "Synthetic sample; free to reuse."
        """
    )


def manifest_text(archive_entry: str) -> str:
    return textwrap.dedent(
        f"""\
        title: Trust test
        archives:
          remote: {archive_entry}
        clips:
          - id: a
            archive: remote
            clip: C1
        touchpoints:
          - title: Arrival
            selections:
              - {{clip: a, from: 0, to: 1}}
        """
    )


def run_cli(*args: str, cwd: Path, env_extra: dict[str, str] | None = None):
    env = dict(os.environ)  # without proxies: the autouse no_proxies fixture removed them
    env["TRIGGERFILM_CACHE"] = str(cwd / "cache")
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "triggerfilm", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- plain http is refused unless the manifest says insecure ---------------------------------


def test_http_catalogue_is_refused_without_a_request(http_server, cache):
    http_server.add("/a/catalogue.yaml", catalogue("m.mp4").encode())
    with pytest.raises(SourceError, match="plain http://") as caught:
        load_catalogue(http_server.url("/a/"), cache)
    assert "insecure: true" in caught.value.hint
    assert http_server.requests == []


def test_http_download_is_refused_even_when_cached(http_server, cache):
    cache.put_bytes(MEDIA)  # a cache hit must not make an insecure address acceptable
    with pytest.raises(SourceError, match="plain http://"):
        download(http_server.url("/m.mp4"), sha(MEDIA), cache)
    assert http_server.requests == []


@pytest.mark.slow
def test_manifest_http_archive_exits_2_naming_the_entry(http_server, tmp_path):
    http_server.add("/a/catalogue.yaml", catalogue("m.mp4").encode())
    text = manifest_text(http_server.url("/a/"))
    (tmp_path / "film.yaml").write_text(text)
    result = run_cli("consent", "film.yaml", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    line = line_of(text, "remote: http")
    assert f"film.yaml:{line}: archives.remote:" in result.stderr
    assert "insecure: true" in result.stderr and "https://" in result.stderr
    assert http_server.requests == []
    assert not (tmp_path / "cache").exists()  # nothing fetched, nothing written


@pytest.mark.slow
def test_insecure_archive_works_and_warns_on_every_use(http_server, tmp_path):
    http_server.add("/a/catalogue.yaml", catalogue("m.mp4").encode())
    entry = f"{{location: {http_server.url('/a/')}, insecure: true}}"
    (tmp_path / "film.yaml").write_text(manifest_text(entry))
    for run in range(2):  # the second run reads the catalogue from the cache: still a warning
        result = run_cli("consent", "film.yaml", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "warning: archive: remote: read over plain http://" in result.stderr, run
        assert "Traceback" not in result.stderr
        assert "archive clip C1" in result.stdout and "No problems" in result.stdout
    assert len(http_server.requests_for("/a/catalogue.yaml")) == 1


def test_insecure_archive_media_downloads_with_a_warning(http_server, cache):
    http_server.add("/a/catalogue.yaml", catalogue("m.mp4").encode())
    http_server.add("/a/m.mp4", MEDIA)
    notices: list[Notice] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a value on the caller's list, never a Python warning
        archive = load_catalogue(
            http_server.url("/a/"), cache, insecure=True, entry="remote", notices=notices
        )
        path = fetch_media(archive, archive.clip("C1"), cache, timeout=10, notices=notices)
    assert [(n.topic, n.where) for n in notices] == [("archive", "remote")] * 2
    assert "read over plain http://" in notices[0].message
    assert path.read_bytes() == MEDIA
    assert http_server.url("/a/m.mp4") in notices[1].message


def test_https_catalogue_with_http_media_is_refused_at_its_line(https_server, http_server, cache):
    http_server.add("/m.mp4", MEDIA)
    text = catalogue(http_server.url("/m.mp4"))
    https_server.add("/a/catalogue.yaml", text.encode())
    archive = load_catalogue(https_server.url("/a/"), cache, entry="remote")
    with pytest.raises(SourceError, match="plain http://") as caught:
        fetch_media(archive, archive.clip("C1"), cache, timeout=10)
    assert caught.value.line == line_of(text, "- id: C1")
    assert "remote: {location:" in caught.value.hint
    assert http_server.requests == []
    # Marked insecure in the manifest, the same clip is fetched, with a warning.
    trusted = load_catalogue(https_server.url("/a/"), cache, insecure=True, entry="remote")
    notices: list[Notice] = []
    fetched = fetch_media(trusted, trusted.clip("C1"), cache, timeout=10, notices=notices)
    assert fetched.read_bytes() == MEDIA
    assert [n.topic for n in notices] == ["archive"]
    assert "plain http://" in notices[0].message


def test_https_redirect_down_to_http_is_refused(https_server, http_server, cache):
    http_server.add("/m.mp4", MEDIA)
    https_server.add("/m.mp4", b"", redirect=http_server.url("/m.mp4"))
    with pytest.raises(SourceError, match="plain http://"):
        download(https_server.url("/m.mp4"), sha(MEDIA), cache, timeout=10, backoff=0)
    assert http_server.requests == []


def test_https_with_an_untrusted_certificate_is_refused(test_ca, cache, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    server = ArchiveServer(tls=test_ca)
    try:
        server.add("/m.mp4", MEDIA)
        with pytest.raises(SourceError, match="certificate"):
            download(server.url("/m.mp4"), sha(MEDIA), cache, timeout=10, backoff=0)
    finally:
        server.stop()


@pytest.mark.slow
def test_https_archive_needs_no_flag_and_gives_no_warning(https_server, tmp_path, ca_file):
    https_server.add("/a/catalogue.yaml", catalogue("m.mp4").encode())
    (tmp_path / "film.yaml").write_text(manifest_text(https_server.url("/a/")))
    result = run_cli(
        "consent", "film.yaml", cwd=tmp_path, env_extra={"SSL_CERT_FILE": str(ca_file)}
    )
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr


@pytest.mark.slow
def test_other_schemes_are_not_archives(tmp_path):
    text = manifest_text("ftp://127.0.0.1/archive/")
    (tmp_path / "film.yaml").write_text(text)
    result = run_cli("consent", "film.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"film.yaml:{line_of(text, 'ftp://')}: archives.remote:" in result.stderr


# --- folder catalogues stay inside their folder ----------------------------------------------


def folder_archive(root: Path, media: str) -> Path:
    folder = root / "archive"
    folder.mkdir(parents=True)
    (folder / "catalogue.yaml").write_text(catalogue(media))
    return folder


def test_dotdot_media_is_a_located_catalogue_error(tmp_path, cache):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.mp4").write_bytes(MEDIA)
    folder = folder_archive(tmp_path, "../outside/secret.mp4")
    with pytest.raises(SourceError, match="out of the archive folder") as caught:
        load_catalogue(folder, cache)
    assert caught.value.field == "clips[0].media"
    assert caught.value.line == line_of(catalogue("x"), "media:")


@pytest.mark.slow
def test_symlink_out_of_the_folder_is_refused_through_the_cli(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.mp4"
    secret.write_bytes(MEDIA)
    folder = folder_archive(tmp_path, "clip.mp4")
    (folder / "clip.mp4").symlink_to(secret)
    (tmp_path / "film.yaml").write_text(manifest_text("archive"))
    result = run_cli("transcribe", "film.yaml", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "outside the archive folder" in result.stderr
    assert f"{folder / 'catalogue.yaml'}:{line_of(catalogue('x'), '- id: C1')}:" in result.stderr
    assert not (tmp_path / "cache").exists()  # not hashed, not transcribed


def test_symlink_loop_in_an_archive_folder_is_a_clear_error(tmp_path, cache):
    folder = folder_archive(tmp_path, "loop.mp4")
    os.symlink("loop.mp4", folder / "loop.mp4")
    archive = load_catalogue(folder, cache)
    with pytest.raises(SourceError, match="cannot be resolved|symbolic link") as caught:
        fetch_media(archive, archive.clip("C1"), cache)
    assert caught.value.line == line_of(catalogue("x"), "- id: C1")


def test_a_link_that_stays_inside_the_folder_is_fine(tmp_path, cache):
    folder = folder_archive(tmp_path, "clip.mp4")
    (folder / "real").mkdir()
    (folder / "real" / "take1.mp4").write_bytes(MEDIA)
    (folder / "clip.mp4").symlink_to(folder / "real" / "take1.mp4")
    notices: list[Notice] = []
    archive = load_catalogue(folder, cache, notices=notices)
    assert fetch_media(archive, archive.clip("C1"), cache, notices=notices).read_bytes() == MEDIA
    assert notices == []  # no insecure-archive notice for a folder


def test_a_damaged_cached_download_is_fetched_again(https_server, cache):
    https_server.add("/m.mp4", MEDIA)
    path = download(https_server.url("/m.mp4"), sha(MEDIA), cache, timeout=10)
    path.write_bytes(MEDIA[:10])  # truncated on disk after it was cached
    notices: list[Notice] = []
    again = download(https_server.url("/m.mp4"), sha(MEDIA), cache, timeout=10, notices=notices)
    assert again.read_bytes() == MEDIA
    assert [(n.topic, n.where) for n in notices] == [("cache", https_server.url("/m.mp4"))]
    assert "no longer matches its sha256" in notices[0].message
    assert len(https_server.requests_for("/m.mp4")) == 2
