"""Archive catalogues and safe downloads, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from tests.conftest_archive import line_of, sha
from triggerfilm.errors import SourceError, TriggerfilmError
from triggerfilm.manifest.load import load_manifest
from triggerfilm.manifest.model import Narrator
from triggerfilm.sources.cache import ContentCache, cache_root
from triggerfilm.sources.catalogue import fetch_media, load_catalogue
from triggerfilm.sources.catalogue_model import ArchiveTerms
from triggerfilm.sources.download import HTTPStatusError, download
from triggerfilm.sources.resolve import resolve_sources

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
# Short timeouts and no backoff keep the failure tests quick; they prove behaviour, not speed.
# Generous: no test here waits for these to run out (the slow-server tests set their own).
FAST = {"timeout": 10, "backoff": 0}
FAST_CATALOGUE = {"timeout": 10, "retries": 0}


@pytest.fixture
def server(https_server):
    return https_server


def cached_files(cache: ContentCache) -> list[Path]:
    """Every file left anywhere in the cache's blob and partial folders."""
    found = []
    for folder in (cache.blobs, cache.partial):
        if folder.exists():
            found += [p for p in folder.rglob("*") if p.is_file()]
    return found


CATALOGUE = textwrap.dedent(
    """\
    archive:
      name: test archive
      attribution: "Test narratives. Not real patients."
      licence: CC0-1.0
      condition: intensive care
    clips:
      - id: ICU07-01
        interview: ICU07
        title: "Waking up on the unit"
        media: {media}
        sha256: {sha256}
        media_type: video
        topics: [admission, nights]
        narrator:
          descriptor: "man, 60s, patient"
          role: patient
          sex: male
          age_band: 60-69
        permission: "Synthetic sample; free to reuse (CC0)."
        transcript: |
          I woke up and did not know where I was.
      - id: ICU07-02
        interview: ICU07
        title: "Reading it back"
        media_type: text-only
        condition: after discharge
        narrator:
          descriptor: "man, 60s, patient"
          role: patient
        permission: "Synthetic sample; free to reuse (CC0)."
        transcript: "Only words, no film."
    """
)


# --- downloads over HTTP --------------------------------------------------------------------


def test_catalogue_and_media_download_then_offline_from_cache(server, cache):
    media = os.urandom(200_000)
    server.add(
        "/archive/catalogue.yaml", CATALOGUE.format(media="a.mp4", sha256=sha(media)).encode()
    )
    server.add("/archive/a.mp4", media)
    seen_progress = []

    archive = load_catalogue(server.url("/archive/"), cache, timeout=10)
    assert archive.is_remote and archive.location.endswith("/archive/catalogue.yaml")
    clip = archive.clip("ICU07-01")
    path = fetch_media(
        archive, clip, cache, timeout=10, progress=lambda d, t: seen_progress.append((d, t))
    )
    assert path.read_bytes() == media
    assert path == cache.root / "blobs" / "sha256" / sha(media)[:2] / sha(media)
    assert seen_progress[-1] == (len(media), len(media))
    assert [c.condition for c in archive.clips] == ["intensive care", "after discharge"]

    asked = len(server.requests)
    server.stop()
    # A second run: the catalogue comes from the URL index and the media from its hash.
    again = load_catalogue(server.url("/archive/"), cache)
    assert again == archive
    assert fetch_media(again, again.clip("ICU07-01"), cache) == path
    assert len(server.requests) == asked
    assert not list(cache.partial.glob("*"))


def test_cache_hit_makes_no_request(server, cache):
    data = b"already here"
    stored = cache.put_bytes(data)
    assert download(server.url("/never-served"), sha(data).upper(), cache) == stored
    assert server.requests == []


def test_404_fails_at_once_naming_url_and_status(server, cache):
    url = server.url("/missing.mp4")
    with pytest.raises(HTTPStatusError) as caught:
        download(url, None, cache, retries=3, **FAST)
    assert caught.value.status == 404
    assert url in str(caught.value) and "404" in str(caught.value)
    assert "check the URL" in str(caught.value)
    assert len(server.requests) == 1  # no retries on a permanent error


def test_403_fails_at_once(server, cache):
    server.add("/secret.mp4", b"x", fail_status=403, fail_requests=-1)
    with pytest.raises(HTTPStatusError, match="403") as caught:
        download(server.url("/secret.mp4"), None, cache, retries=3, **FAST)
    assert "permission" in caught.value.hint
    assert len(server.requests) == 1


def test_server_error_is_retried(server, cache):
    data = b"after a hiccup"
    server.add("/flaky.mp4", data, fail_status=503, fail_requests=2)
    path = download(server.url("/flaky.mp4"), sha(data), cache, retries=2, **FAST)
    assert path.read_bytes() == data
    assert len(server.requests) == 3


def test_slow_server_times_out_then_retry_succeeds(server, cache):
    data = b"slow but steady" * 100
    # The first answer comes long after the timeout; the retry must be answered within it, so
    # the timeout is wide enough for a loaded machine's loopback server to reply in.
    server.add("/slow.mp4", data, delay=8.0, delay_requests=1)
    path = download(server.url("/slow.mp4"), sha(data), cache, timeout=2.0, retries=2, backoff=0)
    assert path.read_bytes() == data
    assert len(server.requests_for("/slow.mp4")) == 2


def test_always_slow_server_fails_clearly(server, cache):
    server.add("/stuck.mp4", b"never", delay=1.0, delay_requests=99)
    with pytest.raises(SourceError) as caught:
        download(server.url("/stuck.mp4"), None, cache, timeout=0.2, retries=1, backoff=0)
    message = str(caught.value)
    assert "after 2 attempt(s)" in message and "timed out" in message
    assert server.url("/stuck.mp4") in message
    assert cached_files(cache) == []


def test_truncated_transfer_resumes_with_range_and_verifies(server, cache):
    data = os.urandom(100_000)
    server.add("/cut.mp4", data, truncate_at=30_000, truncate_requests=1)
    path = download(server.url("/cut.mp4"), sha(data), cache, retries=2, **FAST)
    assert path.read_bytes() == data
    ranges = [seen.range for seen in server.requests_for("/cut.mp4")]
    assert ranges == [None, "bytes=30000-"]


def test_server_ignoring_range_restarts_from_zero(server, cache):
    data = os.urandom(50_000)
    server.add("/norange.mp4", data, truncate_at=10_000, truncate_requests=1, ignore_range=True)
    path = download(server.url("/norange.mp4"), sha(data), cache, retries=2, **FAST)
    assert path.read_bytes() == data  # not the first 10 kB twice
    assert [s.range for s in server.requests_for("/norange.mp4")] == [None, "bytes=10000-"]


def test_always_truncated_is_an_error_and_caches_nothing(server, cache):
    data = os.urandom(40_000)
    server.add("/broken.mp4", data, truncate_at=1_000, truncate_requests=-1)
    with pytest.raises(SourceError, match="truncated") as caught:
        download(server.url("/broken.mp4"), None, cache, retries=2, **FAST)
    assert server.url("/broken.mp4") in str(caught.value)
    assert len(server.requests_for("/broken.mp4")) == 3
    assert cached_files(cache) == []


def test_wrong_checksum_is_rejected_and_nothing_kept(server, cache):
    data = b"not what the catalogue promised"
    wanted = sha(b"the real clip")
    server.add("/swapped.mp4", data)
    with pytest.raises(SourceError) as caught:
        download(server.url("/swapped.mp4"), wanted, cache, **FAST)
    message = str(caught.value)
    assert server.url("/swapped.mp4") in message and wanted in message and sha(data) in message
    assert cached_files(cache) == []
    assert cache.get(sha(data)) is None


def test_content_length_over_limit_is_refused_before_download(server, cache):
    server.add("/huge.mp4", b"x" * 1000, claimed_length=10**12)
    with pytest.raises(SourceError, match="limit"):
        download(server.url("/huge.mp4"), None, cache, max_bytes=10_000, **FAST)
    assert len(server.requests) == 1
    assert cached_files(cache) == []


def test_body_over_limit_without_length_is_aborted(server, cache):
    server.add("/endless.mp4", b"y" * 50_000, send_length=False)
    with pytest.raises(SourceError, match="more than 20000 bytes"):
        download(server.url("/endless.mp4"), None, cache, max_bytes=20_000, **FAST)
    assert cached_files(cache) == []


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/clip.mp4", "/etc/passwd", "data:,hello"]
)
def test_non_http_schemes_are_refused(url, cache):
    with pytest.raises(SourceError, match="only https://"):
        download(url, None, cache)


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/clip.mp4"])
def test_redirect_away_from_http_is_refused(server, cache, target):
    # urllib refuses file: itself but would follow ftp:; neither may be followed.
    server.add("/sneaky.mp4", b"", redirect=target)
    with pytest.raises(SourceError, match="non-http|not allowed"):
        download(server.url("/sneaky.mp4"), None, cache, **FAST)
    assert cached_files(cache) == []


def test_remote_catalogue_media_needs_a_hash(server, cache):
    text = CATALOGUE.format(media="a.mp4", sha256="null")
    server.add("/c/catalogue.yaml", text.encode())
    with pytest.raises(SourceError) as caught:
        load_catalogue(server.url("/c/catalogue.yaml"), cache)
    assert caught.value.field == "clips[0].sha256"
    assert caught.value.line == line_of(text, "sha256:")


def test_real_media_file_over_http(server, cache):
    candidates = sorted((REPO / "clips").glob("*.mp4")) or [
        SHARED_DATA / "video" / "autocut__test001.mp4"
    ]
    source = candidates[0]
    if not source.is_file():
        pytest.skip(f"no media file at {source}")
    data = source.read_bytes()
    server.add("/real.mp4", data)
    path = download(server.url("/real.mp4"), sha(data), cache, **FAST)
    av = pytest.importorskip("av")
    with av.open(str(path)) as container:
        assert container.streams.video and container.duration > 0


# --- catalogues on disk ---------------------------------------------------------------------


def write_archive(folder: Path, text: str, media: dict[str, bytes] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "catalogue.yaml").write_text(text, encoding="utf-8")
    for name, data in (media or {}).items():
        (folder / name).write_bytes(data)
    return folder


def test_folder_archive_uses_media_in_place_and_verifies(tmp_path, cache):
    data = b"local clip bytes"
    folder = write_archive(
        tmp_path / "arch", CATALOGUE.format(media="a.mp4", sha256=sha(data)), {"a.mp4": data}
    )
    archive = load_catalogue(folder, cache)
    assert not archive.is_remote
    clip = archive.clip("ICU07-01")
    assert clip.who.role == "patient" and clip.topics == ("admission", "nights")
    assert fetch_media(archive, clip, cache) == folder / "a.mp4"
    assert cached_files(cache) == []  # local media is never copied

    (folder / "a.mp4").write_bytes(b"edited since cataloguing")
    with pytest.raises(SourceError, match="sha256") as caught:
        fetch_media(archive, clip, cache)
    assert caught.value.line == clip.line == line_of(CATALOGUE, "- id: ICU07-01")
    assert (folder / "a.mp4").read_bytes() == b"edited since cataloguing"  # untouched

    with pytest.raises(SourceError, match="text-only"):
        fetch_media(archive, archive.clip("ICU07-02"), cache)


def test_an_archive_clip_keeps_the_catalogues_narrator_unless_the_manifest_says(tmp_path, cache):
    data = b"local clip bytes"
    write_archive(
        tmp_path / "arch", CATALOGUE.format(media="a.mp4", sha256=sha(data)), {"a.mp4": data}
    )
    manifest = tmp_path / "film.yaml"
    manifest.write_text(
        textwrap.dedent(
            """\
            title: Test
            archives: {arch: arch}
            clips:
              - {id: as-published, archive: arch, clip: ICU07-01}
              - {id: retold, archive: arch, clip: ICU07-01, narrator: N1, age_band: 70-79}
            touchpoints:
              - title: Nights
                selections: [{clip: as-published, from: 0, to: 1}]
            """
        ),
        encoding="utf-8",
    )
    sources = resolve_sources(load_manifest(manifest), cache)
    published = Narrator("man, 60s, patient", "patient", "male", "60-69")
    assert (sources["as-published"].narrator, sources["as-published"].who) == ("ICU07", published)
    retold = sources["retold"]
    assert (retold.narrator, retold.who) == ("N1", replace(published, age_band="70-79"))
    # The clip names no attribution of its own: the credits name the archive's.
    terms = ArchiveTerms(
        "Synthetic sample; free to reuse (CC0).", "Test narratives. Not real patients."
    )
    assert sources["as-published"].terms == retold.terms == terms


def test_missing_clip_suggests_close_ids(tmp_path, cache):
    folder = write_archive(tmp_path / "arch", CATALOGUE.format(media="a.mp4", sha256="null"))
    archive = load_catalogue(folder / "catalogue.yaml", cache)
    with pytest.raises(TriggerfilmError) as caught:
        archive.clip("ICU07-1")
    assert "ICU07-01" in caught.value.hint and "Did you mean" in caught.value.hint


def test_json_catalogue_with_lines(tmp_path, cache):
    good = yaml.safe_load(CATALOGUE.format(media="a.mp4", sha256="null"))
    good["clips"][1]["narrator"]["role"] = "visitor"
    folder = tmp_path / "arch"
    folder.mkdir()
    text = json.dumps(good, indent=2)
    (folder / "catalogue.json").write_text(text)
    with pytest.raises(SourceError) as caught:
        load_catalogue(folder, cache)
    assert caught.value.field == "clips[1].narrator.role"
    assert caught.value.line == line_of(text, '"visitor"')
    assert "patient, family member, staff" in str(caught.value)


BROKEN = [
    # (what to break, replacement, field, line snippet, words in the message)
    (
        "    media_type: video",
        "    media_type: video\n    mediatype: video",
        "clips[0].mediatype",
        "mediatype:",
        "unknown key",
    ),
    ("  - id: ICU07-02\n", "  - \n", "clips[1].id", "interview: ICU07", "'id' is required"),
    (
        "    media_type: video",
        "    media_type: film",
        "clips[0].media_type",
        "media_type: film",
        "video, audio-only, text-only",
    ),
    ("  - id: ICU07-02", "  - id: ICU07-01", "clips[1].id", "- id: ICU07-01", "duplicate clip id"),
    (
        "    media_type: text-only",
        "    media_type: text-only\n    media: x.mp4",
        "clips[1].media",
        "media: x.mp4",
        "text-only clip has no media",
    ),
    (
        "    media: {media}",
        "    media: file:///etc/passwd",
        "clips[0].media",
        "file:///",
        "only http",
    ),
]


@pytest.mark.parametrize(("old", "new", "field", "snippet", "words"), BROKEN)
def test_malformed_catalogue_names_field_and_line(tmp_path, cache, old, new, field, snippet, words):
    assert old in CATALOGUE
    text = CATALOGUE.replace(old, new, 1).format(media="a.mp4", sha256=sha(b"a"))
    folder = write_archive(tmp_path / "arch", text)
    with pytest.raises(SourceError) as caught:
        load_catalogue(folder, cache)
    error = caught.value
    assert error.field == field
    # A missing key points at its clip: the line where that clip's first key now stands.
    expected_line = [i for i, line in enumerate(text.splitlines(), 1) if snippet in line][-1]
    assert error.line == expected_line
    assert words in str(error)
    assert str(folder / "catalogue.yaml") in str(error)


def test_folder_without_catalogue(tmp_path, cache):
    with pytest.raises(SourceError, match="catalogue.yaml"):
        load_catalogue(tmp_path, cache)


def test_cache_root_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TRIGGERFILM_CACHE", str(tmp_path / "elsewhere"))
    assert cache_root() == tmp_path / "elsewhere"
    monkeypatch.delenv("TRIGGERFILM_CACHE")
    assert cache_root() == Path.home() / ".cache" / "triggerfilm"
    assert ContentCache().root == cache_root()


def test_verify_removes_a_corrupted_blob(cache):
    path = cache.put_bytes(b"original")
    assert cache.verify(path.name)
    path.write_bytes(b"bit rot")
    assert not cache.verify(path.name) and not path.exists()


def test_a_damaged_url_index_is_only_a_lost_shortcut(cache):
    blob = cache.put_bytes(b"catalogue text")
    index = cache.root / "index" / "urls.json"
    index.parent.mkdir(parents=True)
    for damage in ("{not json", "[]", '{"http://a/c.yaml": 3}'):
        index.write_text(damage)
        assert cache.lookup_url("http://a/c.yaml") is None
        cache.remember_url("http://a/c.yaml", blob.name)  # a new index, written over it
        assert cache.lookup_url("http://a/c.yaml") == blob
    index.unlink()
    index.mkdir()  # not even a file: still no traceback, just no shortcut
    assert cache.lookup_url("http://a/c.yaml") is None


def test_sample_archive_if_present(cache):
    catalogue = REPO / "clips" / "catalogue.yaml"
    if not catalogue.is_file():
        pytest.skip(f"no sample archive at {catalogue}")
    archive = load_catalogue(catalogue.parent, cache)
    assert archive.clips and archive.attribution
    for clip in archive.clips:
        if clip.media_type != "text-only":
            assert fetch_media(archive, clip, cache).is_file()


def test_sample_archive_served_over_http(server, cache):
    folder = REPO / "clips"
    if not (folder / "catalogue.yaml").is_file():
        pytest.skip(f"no sample archive at {folder}")
    for file in folder.iterdir():
        if file.is_file():
            server.add(f"/sample/{file.name}", file.read_bytes())
    local = load_catalogue(folder, cache)
    remote = load_catalogue(server.url("/sample"), cache, **FAST_CATALOGUE)
    assert [c.id for c in remote.clips] == [c.id for c in local.clips]
    clip = next(c for c in remote.clips if c.media_type != "text-only")
    downloaded = fetch_media(remote, clip, cache, timeout=10)
    assert downloaded.read_bytes() == fetch_media(local, local.clip(clip.id), cache).read_bytes()
