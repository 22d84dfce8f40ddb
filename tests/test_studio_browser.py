"""The studio in a real browser: Debian's chromium driven by Playwright, checked by axe-core.

A facilitator's journey on a copy of the demo (search, highlight, add, reorder, preview across
a cut, render), the same by keyboard alone, and an edit made on disk meanwhile that is kept.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.conftest import demo_copy
from tests.studio_server import running_studio
from triggerfilm.app import plan_report
from triggerfilm.manifest.load import load_manifest
from triggerfilm.timefmt import mmss

CHROMIUM = Path("/usr/bin/chromium")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
axe_api = pytest.importorskip(
    "axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed"
)
pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"no chromium at {CHROMIUM} (Debian package `chromium`)"
    ),
    # Chromium, and the demo workspace (the sample clips transcribed on a cold cache).
    pytest.mark.slow,
]

COMMENTS = (
    "# Demo trigger film, built from the synthetic sample archive",
    "# Touchpoints in care-pathway order: admission, nights on the unit, going home.",
    '# Selected by time: "When he went home ... recovery takes so long."',
)
PAGES = ("/", "/clips", "/clips/icu03", "/clips/icu15", "/preview", "/consent", "/search?q=night")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
        )
        yield browser
        browser.close()


@pytest.fixture
def studio(tmp_path):
    with running_studio(demo_copy(tmp_path), tmp_path / "out") as server:
        yield server


@pytest.fixture
def page(browser, studio):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(studio.url)  # the key in the address becomes the cookie
    yield page
    context.close()
    assert errors == [], errors


def _word_range(page, phrase: str) -> tuple[int, int]:
    """The data-i of the first and last word of ``phrase`` in the clip page's transcript."""
    found = page.evaluate(
        """(phrase) => {
            const want = phrase.toLowerCase().split(" ");
            const words = [...document.querySelectorAll("#transcript .w")]
                .map((w) => w.textContent.toLowerCase().replace(/[.,?!]/g, ""));
            for (let i = 0; i + want.length <= words.length; i++) {
                if (want.every((w, k) => words[i + k] === w)) return [i, i + want.length - 1];
            }
            return null;
        }""",
        phrase,
    )
    assert found, phrase
    return found[0], found[1]


def wait_until(page, expression: str, timeout: float = 30.0) -> None:
    """Poll a JavaScript expression until it is true. (Playwright's wait_for_function evaluates
    strings with eval, which the studio's Content-Security-Policy rightly forbids.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout:.0f} s: {expression}")
        page.wait_for_timeout(50)


def _saved(page) -> str:
    """Wait for the page to say a change was saved; the message is consumed, so the next call
    waits for the next save."""
    wait_until(page, "document.getElementById('status').textContent.startsWith('Saved')")
    return page.evaluate(
        "(() => { const s = document.getElementById('status'); const t = s.textContent;"
        " s.textContent = ''; return t; })()"
    )


def test_every_page_has_no_accessibility_violations(page, studio) -> None:
    axe = axe_api.Axe()
    for path in PAGES:
        page.goto(studio.base + path)
        page.wait_for_load_state("networkidle")
        result = axe.run(page)
        assert result.violations_count == 0, (path, result.generate_report())
    # The add dialog, open over a selection.
    page.goto(studio.base + "/clips/icu03")
    page.locator("#transcript .w").first.focus()
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("a")
    page.wait_for_selector("#add-dialog[open]")
    result = axe.run(page)
    assert result.violations_count == 0, result.generate_report()


def test_a_facilitators_journey(page, studio) -> None:
    manifest = studio.studio.manifest
    page.wait_for_selector("#touchpoints .passage")
    assert page.locator("#touchpoints > li").count() == 3
    # The plan's numbers are those `triggerfilm plan` prints.
    report = plan_report(manifest)
    assert page.inner_text(".plan .total").startswith(f"{mmss(report.total_seconds)} of 30:00")
    plan_text = page.inner_text("#plan")
    for tp in report.touchpoints:
        assert f"{tp.title}\t{mmss(tp.seconds)}\t{tp.cuts}" in plan_text
    for n in report.narrators:
        assert f"{n.narrator}\t{n.share:.1%}" in plan_text

    # Search every clip for "night"; a hit opens its clip at that moment.
    page.fill("#q", "night")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"/search\?q=night"))
    hits = page.locator(".hits > li")
    assert hits.count() >= 3
    page.locator("a.hit-open", has_text="Open at").first.click()
    page.wait_for_url(re.compile(r"/clips/\w+\?t="))
    at = float(re.search(r"t=([\d.]+)", page.url).group(1))
    wait_until(page, "window.triggerfilmClip && window.triggerfilmClip.current() >= 0")
    assert page.evaluate("document.getElementById('player').currentTime") == pytest.approx(
        at, abs=0.3
    )

    # Highlight a passage with the mouse and add it to a touchpoint.
    page.goto(studio.base + "/clips/icu03")
    first, last = _word_range(page, "The night nurses were busy")
    _, last = _word_range(page, "when I could finally drink")
    start = page.locator(f'#transcript .w[data-i="{first}"]').bounding_box()
    end = page.locator(f'#transcript .w[data-i="{last}"]').bounding_box()
    page.mouse.move(start["x"] + 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] - 2, end["y"] + end["height"] / 2, steps=8)
    page.mouse.up()
    assert page.evaluate("window.triggerfilmClip.selection()") == [first, last]
    assert "The night nurses were busy" in page.inner_text("#selection-info")
    page.click("#add-open")
    page.select_option("#add-touchpoint", label="3. Going home")
    page.check('input[name="valence"][value="positive"]')
    page.click('#add-dialog button[value="add"]')
    assert "Added icu03" in _saved(page)
    assert page.locator(f'#transcript .w.in-film[data-i="{first}"]').count() == 1

    # The board shows it last in "Going home"; move it up one place.
    page.goto(studio.base + "/")
    last_passage = page.locator("#tp-2 .passage").last
    assert "The night nurses were busy" in last_passage.inner_text()
    last_passage.locator('[data-act="up"]').click()
    _saved(page)
    assert "The night nurses were busy" in page.locator("#tp-2 .passage").nth(3).inner_text()
    assert not page.inner_text(".plan .total").startswith(mmss(report.total_seconds))

    # On disk: the new selection in its new place, written as quotes, every comment kept.
    text = manifest.read_text(encoding="utf-8")
    assert all(comment in text for comment in COMMENTS)
    going_home = load_manifest(manifest).touchpoints[2].selections
    added = going_home[3]
    assert (added.clip, added.valence) == ("icu03", "positive")
    assert added.start.quote and added.start.quote.lower().startswith("the night nurses")
    assert [s.clip for s in going_home] == ["icu21", "icu12", "icu03", "icu03", "icu15"]

    # The preview plays across the boundary between two passages, straight from the sources.
    page.goto(studio.base + "/preview")
    wait_until(page, "window.triggerfilmPreview && window.triggerfilmPreview.state().entries > 0")
    entries = page.evaluate("fetch('/api/preview').then((r) => r.json()).then((d) => d.entries)")
    cut = next(
        i
        for i, e in enumerate(entries)
        if e["kind"] == "cut" and i + 1 < len(entries) and entries[i + 1]["kind"] == "cut"
    )
    page.evaluate(f"window.triggerfilmPreview.seek({entries[cut]['film_out'] - 1.0})")
    page.click("#play")
    wait_until(page, f"window.triggerfilmPreview.state().index === {cut + 1}", timeout=20)
    wait_until(
        page,
        f"window.triggerfilmPreview.state().filmTime > {entries[cut + 1]['film_in'] + 0.5}",
        timeout=20,
    )
    playing = page.evaluate(
        """() => { const s = window.triggerfilmPreview.state();
                   const v = document.querySelectorAll('#stage video')[s.active];
                   return {playing: s.playing, paused: v.paused, muted: v.muted,
                           others: [...document.querySelectorAll('#stage video')]
                             .filter((o) => o !== v && !o.paused).length}; }"""
    )
    assert playing == {"playing": True, "paused": False, "muted": False, "others": 0}
    assert page.inner_text("#caption").strip()  # the film's captions, on the film's clock
    page.click("#play")  # pause


def test_the_keyboard_alone_selects_adds_and_reorders(page, studio) -> None:
    page.goto(studio.base + "/clips/icu07")

    def tab_to(selector: str, limit: int = 60) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("#transcript .w")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    for _ in range(6):
        page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate("window.triggerfilmClip.selection()") == [3, 9]
    page.keyboard.press("Enter")  # plays from the focused word
    wait_until(page, "!document.getElementById('player').paused")
    page.keyboard.press("Escape")  # pause, without a mouse
    wait_until(page, "document.getElementById('player').paused")
    page.keyboard.press("a")
    page.wait_for_selector("#add-dialog[open]")
    assert page.evaluate("document.activeElement.id") == "add-touchpoint"
    page.keyboard.press("ArrowDown")  # the second touchpoint
    tab_to('#add-dialog button[value="add"]')
    page.keyboard.press("Enter")
    _saved(page)
    nights = load_manifest(studio.studio.manifest).touchpoints[1].selections
    assert [s.clip for s in nights] == ["icu03", "icu07", "icu15", "icu07"]

    page.goto(studio.base + "/")
    page.wait_for_selector("#touchpoints .passage")
    tab_to('#p-1-3 [data-act="up"]')
    page.keyboard.press("Enter")
    _saved(page)
    # Focus follows the passage to its new place, so pressing again keeps moving it.
    assert page.evaluate("document.activeElement.closest('.passage').id") == "p-1-2"
    page.keyboard.press("Enter")
    _saved(page)
    nights = load_manifest(studio.studio.manifest).touchpoints[1].selections
    assert [s.clip for s in nights] == ["icu03", "icu07", "icu07", "icu15"]
    assert nights[1].start.quote is not None  # the keyboard's passage, now second


def test_passages_are_dragged_within_and_between_touchpoints(page, studio) -> None:
    # Tall enough that nothing scrolls mid-drag (a scroll moves the page under the pointer).
    page.set_viewport_size({"width": 1400, "height": 2600})
    page.wait_for_selector("#touchpoints .passage")
    target = page.locator("#p-0-2").bounding_box()
    page.drag_and_drop(
        "#p-0-0 .handle", "#p-0-2", target_position={"x": 30, "y": target["height"] - 8}
    )
    _saved(page)
    m = load_manifest(studio.studio.manifest)
    assert [s.clip for s in m.touchpoints[0].selections] == ["icu12", "icu21", "icu07"]
    page.drag_and_drop("#p-0-2 .handle", "#p-2-0", target_position={"x": 30, "y": 8})
    _saved(page)
    m = load_manifest(studio.studio.manifest)
    assert [s.clip for s in m.touchpoints[0].selections] == ["icu12", "icu21"]
    assert [s.clip for s in m.touchpoints[2].selections][:2] == ["icu07", "icu21"]


def test_an_edit_on_disk_meanwhile_is_not_lost(browser, studio) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.clock.install()  # hold the page's own disk watch still: the edit must meet the file
    page.goto(studio.url)
    page.wait_for_selector("#touchpoints .passage")
    manifest = studio.studio.manifest
    disk = manifest.read_text(encoding="utf-8").replace(
        "title: Going home", "title: Going home again"
    )
    manifest.write_text(disk, encoding="utf-8")  # the command line, or an editor, meanwhile

    page.locator('#p-0-0 [data-act="down"]').click()
    page.wait_for_selector("#conflict[open]")
    assert "+  - title: Going home again" in page.inner_text("#conflict-diff")
    assert manifest.read_text(encoding="utf-8") == disk  # nothing overwritten
    page.click("#conflict-apply")  # reload, and make my change again on the new version
    _saved(page)
    m = load_manifest(manifest)
    assert m.touchpoints[2].title == "Going home again"  # their edit
    assert [s.clip for s in m.touchpoints[0].selections] == ["icu12", "icu07", "icu21"]  # mine
    assert "Going home again" in page.inner_text("#touchpoints")
    context.close()


@pytest.mark.slow
def test_render_streams_progress_and_plays_the_film(page, studio) -> None:
    page.goto(studio.base + "/preview")
    page.check("#render-quick")
    page.click("#render-start")
    wait_until(
        page,
        "document.getElementById('render-status').textContent.startsWith('Done')",
        timeout=600,
    )
    assert page.evaluate("document.getElementById('render-progress').value") == 100
    wait_until(page, "document.getElementById('film-video').readyState >= 1")
    duration = page.evaluate("document.getElementById('film-video').duration")
    assert duration == pytest.approx(158.8, abs=1.0)
    assert "Caption check" in page.inner_text("#findings")
    assert (studio.studio.out_dir / "preview.mp4").is_file()
    axe = axe_api.Axe().run(page)
    assert axe.violations_count == 0, axe.generate_report()
