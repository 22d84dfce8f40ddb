"""The studio in a real browser: Debian's chromium driven by Playwright, checked by axe-core.

A facilitator's journey on a copy of the demo (search, highlight, add, reorder, preview across
a cut, render), the same by keyboard alone, and an edit made on disk meanwhile that is kept.
"""

from __future__ import annotations

import re
import subprocess
import sys
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
    # A 1280-pixel window at 200% zoom: one column, wide tables scroll (and take focus to do so).
    page.set_viewport_size({"width": 640, "height": 360})
    for path in ("/", "/clips", "/clips/icu03", "/consent"):
        page.goto(studio.base + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 640, path
        result = axe.run(page)
        assert result.violations_count == 0, (path, result.generate_report())
    page.set_viewport_size({"width": 1400, "height": 900})
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


def tab_to(page, selector: str, *, back: bool = False, limit: int = 120) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches ``selector``."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def focused(page, selector: str) -> bool:
    return page.evaluate(f"document.activeElement.matches({selector!r})")


def edit_on_disk(manifest: Path, old: str, new: str) -> None:
    """Another process edits the manifest (an editor, the command line) while the page is open."""
    code = (
        "import pathlib, sys; p = pathlib.Path(sys.argv[1]); "
        "p.write_text(p.read_text(encoding='utf-8').replace(sys.argv[2], sys.argv[3], 1), "
        "encoding='utf-8')"
    )
    subprocess.run([sys.executable, "-c", code, str(manifest), old, new], check=True)
    assert new in manifest.read_text(encoding="utf-8")


def _seen_on_disk(page) -> None:
    """Wait for the page's own watch to show an edit made on disk."""
    wait_until(page, "document.getElementById('status').textContent.includes('changed on disk')")


def test_a_keyboard_only_journey_with_the_manifest_edited_meanwhile(page, studio) -> None:
    """Search, open a hit, select, add, reorder, move, set valence, trim, preview: Tab, Enter,
    arrows and the documented keys only, while another process edits the manifest twice."""
    manifest = studio.studio.manifest
    page.wait_for_selector("#touchpoints .passage")

    # Search every clip for "night" and open the first hit at its moment.
    tab_to(page, "#q")
    page.keyboard.type("night")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "a.hit-open")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    clip = re.search(r"/clips/(\w+)\?t=", page.url).group(1)
    wait_until(page, "document.activeElement.matches('#transcript .w')")  # the hit's word

    # Select five words from the hit, add them to "Nights on the unit", marked positive.
    for _ in range(4):
        page.keyboard.press("Shift+ArrowRight")
    first, last = page.evaluate("window.triggerfilmClip.selection()")
    assert last - first == 4
    page.keyboard.press("Enter")  # plays from the focused word
    wait_until(page, "!document.getElementById('player').paused")
    page.keyboard.press("Escape")  # pause, without a mouse
    wait_until(page, "document.getElementById('player').paused")
    page.keyboard.press("a")
    page.wait_for_selector("#add-dialog[open]")
    assert focused(page, "#add-touchpoint")
    page.keyboard.press("ArrowDown")  # 2. Nights on the unit
    page.keyboard.press("Tab")  # the insert point: left at the end
    assert page.evaluate("document.activeElement.value") == ""
    page.keyboard.press("Tab")  # the valence radios
    page.keyboard.press("ArrowRight")  # positive
    tab_to(page, '#add-dialog button[value="add"]')
    page.keyboard.press("Enter")
    assert "Nights on the unit" in _saved(page)
    assert focused(page, "#transcript .w")  # focus is back in the words, not lost

    # Meanwhile, someone renames a touchpoint on disk: the open page follows.
    edit_on_disk(manifest, "title: Going home", "title: Going home at last")
    _seen_on_disk(page)

    # To the board, by keyboard.
    tab_to(page, 'nav a[href="/"]', back=True)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("#touchpoints .passage")
    assert "3. Going home at last" in page.inner_text("#touchpoints")
    nights = len(load_manifest(manifest).touchpoints[1].selections)
    mine = f"#p-1-{nights - 1}"

    # Reorder: up one place; focus follows the passage.
    tab_to(page, f'{mine} [data-act="up"]')
    page.keyboard.press("Enter")
    _saved(page)
    assert page.evaluate("document.activeElement.closest('.passage').id") == f"p-1-{nights - 2}"

    # Move it to the last touchpoint: choose it, then press Move (arrows alone move nothing).
    tab_to(page, f"#p-1-{nights - 2}-to")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # "3. Going home at last"
    assert len(load_manifest(manifest).touchpoints[1].selections) == nights
    tab_to(page, '[data-act="move-to"]')
    page.keyboard.press("Enter")
    assert "Going home at last" in _saved(page)
    home = len(load_manifest(manifest).touchpoints[2].selections)
    moved = f"p-2-{home - 1}"
    assert page.evaluate("document.activeElement.closest('.passage').id") == moved

    # Valence by arrow key on its select.
    tab_to(page, f"#{moved}-valence")
    page.keyboard.press("ArrowDown")
    _saved(page)
    valence = page.evaluate(f"document.getElementById('{moved}-valence').value")
    assert focused(page, f"#{moved}-valence")

    # Trim the end by a word; the panel stays open and focus stays on the button.
    before = page.evaluate(f"window.triggerfilmBoard.board().touchpoints[2].passages[{home - 1}]")
    tab_to(page, f"#{moved} summary")
    page.keyboard.press("Enter")
    tab_to(page, f'#{moved} [data-act="trim"][data-end="to"][data-by="-1"]')
    page.keyboard.press("Enter")
    _saved(page)
    after = page.evaluate(f"window.triggerfilmBoard.board().touchpoints[2].passages[{home - 1}]")
    assert after["source_out"] < before["source_out"]
    assert focused(page, f'#{moved} [data-act="trim"][data-end="to"][data-by="-1"]')

    # A note half typed survives a second edit on disk redrawing the board.
    tab_to(page, f"#{moved}-note")
    page.keyboard.type("read slowly")
    edit_on_disk(manifest, "description: Being admitted", "description: Arriving")
    _seen_on_disk(page)
    assert "Arriving, and the first sight" in page.inner_text("#touchpoints")
    assert focused(page, f"#{moved}-note")
    assert page.input_value(f"#{moved}-note") == "read slowly"
    tab_to(page, f'#{moved} [data-act="note"]')
    page.keyboard.press("Enter")
    _saved(page)

    # Preview: play with Enter on Play, pause with Esc.
    tab_to(page, 'nav a[href="/preview"]', back=True, limit=300)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    wait_until(page, "window.triggerfilmPreview && window.triggerfilmPreview.state().entries > 0")
    tab_to(page, "#play")
    page.keyboard.press("Enter")
    wait_until(page, "window.triggerfilmPreview.state().filmTime > 0.5", timeout=20)
    page.keyboard.press("Escape")
    wait_until(page, "!window.triggerfilmPreview.state().playing")

    # On disk: both edits made meanwhile, and every change, with the comments intact.
    text = manifest.read_text(encoding="utf-8")
    assert all(comment in text for comment in COMMENTS)
    m = load_manifest(manifest)
    assert m.touchpoints[2].title == "Going home at last"
    assert m.touchpoints[0].description.startswith("Arriving")
    assert len(m.touchpoints[1].selections) == nights - 1
    added = m.touchpoints[2].selections[-1]
    assert (added.clip, added.valence, added.note) == (clip, valence or None, "read slowly")
    assert "night" in (added.start.quote or "").lower()


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


def test_the_shortcut_sheet_lists_every_key_and_gives_focus_back(page, studio) -> None:
    page.goto(studio.base + "/clips/icu03")
    tab_to(page, "#transcript .w")
    word = page.evaluate("document.activeElement.dataset.i")
    page.keyboard.press("Shift+/")
    page.wait_for_selector("#keys-sheet[open]")
    assert focused(page, "#keys-sheet-close")
    sheet = page.inner_text("#keys-sheet")
    for key, what in (
        ("Escape or Alt+K", "Play / pause"),
        ("Alt+J", "Back 5 seconds"),
        ("Alt+L", "Forward 5 seconds"),
        ("Alt+R", "Roll back 15 seconds"),
        ("Shift+/", "Show these keys"),
        ("Shift+← →", "select words"),
    ):
        assert f"{key}\t{what}" in sheet or f"{key}\n{what}" in sheet, (key, sheet)
    assert "Ctrl+0" in sheet  # says it stays the browser's zoom reset
    axe = axe_api.Axe().run(page)
    assert axe.violations_count == 0, axe.generate_report()
    page.keyboard.press("Escape")
    wait_until(page, "!document.getElementById('keys-sheet').open")
    assert page.evaluate("document.activeElement.dataset.i") == word  # focus given back
    assert page.evaluate("document.getElementById('player').paused")  # Esc only closed it

    # "?" typed in a text field is text, not the sheet; the Keys button opens it too.
    page.focus("#q")
    page.keyboard.type("why?")
    assert page.input_value("#q") == "why?"
    assert not page.evaluate("document.getElementById('keys-sheet').open")
    tab_to(page, "#keys-open")
    page.keyboard.press("Enter")
    page.wait_for_selector("#keys-sheet[open]")
    page.keyboard.press("Escape")
    assert focused(page, "#keys-open")


def test_a_rebound_key_plays_and_is_kept_and_ctrl_0_is_refused(page, studio) -> None:
    page.goto(studio.base + "/clips/icu03")
    page.keyboard.press("Shift+/")
    page.wait_for_selector("#keys-sheet[open]")
    tab_to(page, "#keys-change")
    page.keyboard.press("Enter")
    page.wait_for_selector("#keys-settings[open]")
    assert focused(page, "#key-playPause")
    axe = axe_api.Axe().run(page)
    assert axe.violations_count == 0, axe.generate_report()

    page.keyboard.press("Enter")  # wait for the new key
    page.keyboard.press("Control+0")  # the browser's zoom reset is never taken
    assert "Not changed" in page.inner_text("#keys-settings-note")
    page.keyboard.press("P")  # a bare letter would fire while typing
    assert "Not changed" in page.inner_text("#keys-settings-note")
    page.keyboard.press("Alt+P")
    assert "Saved: Alt+P" in page.inner_text("#keys-settings-note")
    assert page.inner_text("#key-playPause") == "Alt+P"
    page.keyboard.press("Escape")  # closes the dialog
    wait_until(page, "!document.getElementById('keys-settings').open")

    # Kept in this browser: after a reload, Alt+P plays and pauses, even while typing.
    page.reload()
    wait_until(page, "document.getElementById('player').readyState >= 1")
    page.focus("#q")
    page.keyboard.press("Alt+P")
    wait_until(page, "!document.getElementById('player').paused")
    assert page.input_value("#q") == ""
    page.keyboard.press("Alt+P")
    wait_until(page, "document.getElementById('player').paused")
    resumed_from = page.evaluate("document.getElementById('player').currentTime")
    # Where playing resumes, read as it starts: a later look depends on how long a slow machine
    # took to get there.
    page.evaluate(
        "(p => p.addEventListener('play', () => { window.resumedAt = p.currentTime; },"
        " {once: true}))(document.getElementById('player'))"
    )
    page.keyboard.press("Alt+P")  # resume: 1.5 s back, to hear the words again
    # The play event is queued after `paused` turns false; wait for it, not for `paused`.
    wait_until(page, "window.resumedAt !== undefined")
    page.keyboard.press("Alt+P")
    assert page.evaluate("window.resumedAt") <= max(0.0, resumed_from - 1.4)
    page.keyboard.press("Alt+R")  # roll back
    assert page.evaluate("document.getElementById('player').currentTime") == 0
    assert page.evaluate("localStorage.getItem('triggerfilm.studio.keys')").count("Alt+P") == 1


def test_focus_stays_on_the_control_pressed_after_moves_and_removals(page, studio) -> None:
    page.wait_for_selector("#touchpoints .passage")
    # A jump link takes the keyboard straight to a touchpoint.
    tab_to(page, '.tp-jump a[href="#tp-2-title"]', limit=20)
    page.keyboard.press("Enter")
    assert focused(page, "#tp-2-title")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.touchpoint').id") == "tp-2"
    page.focus('#p-0-0 [data-act="down"]')
    page.keyboard.press("Enter")
    _saved(page)
    assert focused(page, '#p-0-1 [data-act="down"]')  # pressing again keeps moving it down
    page.keyboard.press("Enter")
    _saved(page)
    assert focused(page, '#p-0-2 [data-act="up"]')  # the last place: its "down" is disabled
    page.focus('#tp-0 [data-act="tp-down"]')
    page.keyboard.press("Enter")
    _saved(page)
    assert focused(page, '#tp-1 [data-act="tp-down"]')
    page.focus('#p-1-2 [data-act="remove"]')
    page.keyboard.press("Enter")
    _saved(page)
    assert focused(page, "#tp-1-title")  # not dropped to the top of the page
    titles = [t.title for t in load_manifest(studio.studio.manifest).touchpoints]
    assert titles[:2] == ["Nights on the unit", "Coming into intensive care"]


def test_play_selection_stops_at_its_last_word(page, studio) -> None:
    page.goto(studio.base + "/clips/icu03")
    tab_to(page, "#transcript .w")
    for _ in range(3):
        page.keyboard.press("Shift+ArrowRight")
    first, last = page.evaluate("window.triggerfilmClip.selection()")
    end = page.evaluate(f"JSON.parse(document.getElementById('data').textContent).ends[{last}]")
    tab_to(page, "#selection-play")
    page.keyboard.press("Enter")
    # Started and stopped again, in one condition: three words last about a second, which a
    # slow machine's polling could miss between a "playing" look and a "paused" one.
    wait_until(
        page,
        "(p => p.played.length > 0 && p.paused)(document.getElementById('player'))",
        timeout=20,
    )
    stopped = page.evaluate("document.getElementById('player').currentTime")
    # Stopped at the selection's end: a ceiling, with room for a slow frame on a busy machine.
    assert end <= stopped < end + 0.3


def test_the_insert_point_places_a_new_passage(page, studio) -> None:
    page.goto(studio.base + "/clips/icu03")
    tab_to(page, "#transcript .w")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("a")
    page.wait_for_selector("#add-dialog[open]")
    page.keyboard.press("Tab")
    assert focused(page, "#add-at")
    options = page.locator("#add-at option").all_inner_texts()
    assert options[0].startswith("before 1. ICU07") and options[-1] == "at the end"
    page.keyboard.press("Home")  # before the first passage
    tab_to(page, '#add-dialog button[value="add"]')
    page.keyboard.press("Enter")
    _saved(page)
    selections = load_manifest(studio.studio.manifest).touchpoints[0].selections
    assert [s.clip for s in selections] == ["icu03", "icu07", "icu12", "icu21"]


def test_correct_mode_fixes_a_word_by_keyboard_and_stores_the_correction(page, studio) -> None:
    manifest = studio.studio.manifest
    before = manifest.read_bytes()
    page.goto(studio.base + "/clips/icu03")
    words = page.locator("#transcript .w").count()
    busy, _ = _word_range(page, "busy")
    tab_to(page, "#mode-correct")
    page.keyboard.press("Enter")
    # A distinct, clearly signalled mode: the switch, a banner, and its actions after the words.
    assert page.get_attribute("#mode-correct", "aria-pressed") == "true"
    assert page.is_visible("#correct-banner") and page.is_visible("#correct-actions")
    assert "Correcting words" in page.inner_text("#correct-banner")
    axe = axe_api.Axe().run(page)
    assert axe.violations_count == 0, axe.generate_report()

    tab_to(page, "#transcript .w")
    for _ in range(busy - int(page.evaluate("document.activeElement.dataset.i"))):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")  # edits the word instead of playing from it
    assert focused(page, "#transcript input.word-edit")
    page.keyboard.type("very busy,")  # the word was "busy,"
    page.keyboard.press("Tab")  # keeps it and edits the next word
    assert focused(page, "#transcript input.word-edit")
    page.keyboard.type("xyz")
    page.keyboard.press("Escape")  # puts that word back, and does not play
    assert page.evaluate("document.getElementById('player').paused")
    assert page.inner_text("#correct-count").startswith("1 word changed")
    assert manifest.read_bytes() == before  # nothing stored until Save

    tab_to(page, "#correct-save")
    with page.expect_navigation(timeout=120_000):
        page.keyboard.press("Enter")
    wait_until(page, "document.getElementById('status').textContent.startsWith('Saved')")
    stored = (manifest.parent / "demo.corrections" / "icu03.txt").read_text(encoding="utf-8")
    assert "were very busy, but they" in stored and "xyz" not in stored
    # The page shows the corrected words, aligned again (one word more), still correcting.
    assert "very busy" in page.inner_text("#transcript")
    assert page.locator("#transcript .w").count() == words + 1
    assert page.get_attribute("#mode-correct", "aria-pressed") == "true"
    assert manifest.read_bytes() == before  # corrections live beside the manifest, not in it
    tab_to(page, "#mode-select", back=True)
    page.keyboard.press("Enter")
    assert page.is_hidden("#correct-banner")
