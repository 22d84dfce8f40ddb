"""The studio's web application: pages, the board's JSON, media by clip id, render progress.

Every route calls the application layer (``triggerfilm.app``) and presents what it returns. The
workspace is read again whenever the manifest's bytes change on disk, so the command line and
the studio can work on one manifest side by side.

No request path reaches the file system: media is looked up by clip id in the manifest, the
film by a fixed file name in the output folder, and the studio's own assets by name in a table
loaded from the package at start.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import mimetypes
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from .. import __version__
from ..app import Progress, RenderOptions, board, consent_report, search_clips
from ..app.corrections import CorrectionReport, correct_clip
from ..app.film import render_and_check
from ..app.notices import Notice
from ..app.target import Target
from ..app.workspace import Workspace, content_hash, open_workspace
from ..editplan.search import SearchQuery
from ..errors import TriggerfilmError
from ..manifest.model import CONSENT_USES, VALENCES
from ..timefmt import source_time
from ..transcripts.options import TranscribeOptions
from .security import Guard
from .views import board_json, page_json, plan_json, preview_json, transcript_html

ASSETS = (
    "studio.css", "studio.js", "board.js", "clip.js", "clips.js", "preview.js", "search.js",
    "keys.js",
)  # fmt: skip
# The only files served from the output folder, by name.
FILM_FILES = ("film.mp4", "film.vtt", "preview.mp4", "preview.vtt")
_TYPES = {".css": "text/css", ".js": "text/javascript", ".vtt": "text/vtt", ".m4a": "audio/mp4"}

CHANGES: dict[str, type] = {
    "add-passage": board.AddPassage,
    "add-hit": board.AddHit,
    "declare-clip": board.DeclareClip,
    "move-passage": board.MovePassage,
    "remove-passage": board.RemovePassage,
    "set-passage": board.SetPassage,
    "trim-passage": board.TrimPassage,
    "nudge-passage": board.NudgePassage,
    "add-touchpoint": board.AddTouchpoint,
    "edit-touchpoint": board.EditTouchpoint,
    "move-touchpoint": board.MoveTouchpoint,
    "remove-touchpoint": board.RemoveTouchpoint,
}


@dataclass
class RenderJob:
    """One render at a time, run in a thread; its events are streamed to the page."""

    events: list[dict[str, Any]] = field(default_factory=list)
    running: bool = False
    started: float = 0.0
    thread: threading.Thread | None = None


class Studio:
    """The studio's state: the manifest, its current workspace and the render in progress."""

    def __init__(
        self,
        manifest: str | Path,
        *,
        out_dir: str | Path,
        options: TranscribeOptions | None = None,
        target_minutes: float = 30.0,
    ) -> None:
        self.manifest = Path(manifest).resolve()
        self.out_dir = Path(out_dir).resolve()
        self.options = options or TranscribeOptions()
        self.target_minutes = target_minutes
        self._lock = threading.Lock()
        self._workspace: Workspace | None = None
        # Earlier versions of the manifest as the pages saw them, to show what changed on disk.
        self._texts: dict[str, str] = {}
        self._clip_views: dict[tuple[str, str], tuple[Markup, str]] = {}
        self.render = RenderJob()

    def workspace(self, progress: Progress | None = None) -> Workspace:
        """The workspace for the manifest as it is on disk now (re-read when it changed)."""
        with self._lock:
            current = content_hash(self.manifest.read_bytes())
            ws = self._workspace
            if ws is None or ws.sha256 != current:
                ws = open_workspace(
                    self.manifest, self.options, target_minutes=self.target_minutes,
                    progress=progress,
                )  # fmt: skip
                self._workspace = ws
                self._texts[ws.sha256] = ws.text
                if len(self._texts) > 50:
                    self._texts.pop(next(iter(self._texts)))
            return ws

    def clip_view(self, ws: Workspace, clip_id: str) -> tuple[Markup, str]:
        """A clip page's words as HTML and its page data, kept per manifest version: an
        hour-long transcript takes a tenth of a second to lay out."""
        key = (ws.sha256, clip_id)
        if key not in self._clip_views:
            transcript = ws.transcripts[clip_id]
            data = {
                "clip": clip_id,
                "starts": [round(w.start, 3) for w in transcript.words],
                "ends": [round(w.end, 3) for w in transcript.words],
                "board": board_json(ws),
            }
            if len(self._clip_views) > 20:
                self._clip_views.pop(next(iter(self._clip_views)))
            self._clip_views[key] = (transcript_html(transcript), page_json(data))
        return self._clip_views[key]

    def correct(self, clip_id: str, text: str) -> CorrectionReport:
        """Store a person's corrected words for a clip (as `triggerfilm correct` does) and
        forget what was built from the old words: the manifest is unchanged, so its hash
        alone would not tell the workspace to re-read the clip."""
        with self._lock:
            report = correct_clip(self.manifest, clip_id, text, self.options)
            self._workspace = None
            self._clip_views = {k: v for k, v in self._clip_views.items() if k[1] != clip_id}
        return report

    def known_text(self, sha256: str) -> str | None:
        return self._texts.get(sha256)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("triggerfilm.studio", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clock"] = source_time
    env.globals["version"] = __version__
    return env


def _assets() -> dict[str, bytes]:
    folder = resources.files("triggerfilm.studio") / "static"
    return {name: (folder / name).read_bytes() for name in ASSETS}


def create_app(studio: Studio, *, token: str, host: str, port: int) -> Guard:
    env = _environment()
    assets = _assets()
    versions = {name: content_hash(data)[:10] for name, data in assets.items()}

    def page(name: str, request: Request, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("nav", name)
        html = env.get_template(f"{name}.html").render(
            request=request, asset=lambda n: f"/static/{n}?v={versions[n]}", **context
        )
        return HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})

    async def board_page(request: Request) -> Response:
        ws = await asyncio.to_thread(studio.workspace)
        return page("board", request, ws=ws, data=page_json(board_json(ws)), valences=VALENCES)

    async def clips_page(request: Request) -> Response:
        ws = await asyncio.to_thread(studio.workspace)
        return page("clips", request, ws=ws, data=page_json({"sha256": ws.sha256}))

    async def clip_page(request: Request) -> Response:
        ws = await asyncio.to_thread(studio.workspace)
        clip_id = request.path_params["clip"]
        if clip_id not in ws.transcripts:
            return page("missing", request, status=404, ws=ws, what=f"clip “{clip_id}”")
        clip = ws.clip(clip_id)
        try:
            at = max(0.0, float(request.query_params.get("t", "0")))
        except ValueError:
            at = 0.0
        used = [(tp, p) for tp in ws.touchpoints for p in tp.passages if p.clip == clip_id]
        words_html, data = await asyncio.to_thread(studio.clip_view, ws, clip_id)
        return page(
            "clip", request, nav="clips", ws=ws, clip=clip, transcript_html=words_html,
            data=data, used=used, valences=VALENCES, at=at,
        )  # fmt: skip

    async def search_page(request: Request) -> Response:
        ws = await asyncio.to_thread(studio.workspace)
        text = request.query_params.get("q", "").strip()
        hits, error = [], None
        notices: list[Notice] = []
        if text:
            try:
                hits = await asyncio.to_thread(
                    search_clips, SearchQuery(text), Target(manifest=studio.manifest),
                    studio.options, notices=notices,
                )  # fmt: skip
            except TriggerfilmError as problem:
                error = str(problem)
        data = page_json({"sha256": ws.sha256, "query": text})
        return page(
            "search", request, ws=ws, query=text, hits=hits, error=error, data=data,
            notices=notices,
        )  # fmt: skip

    async def consent_page(request: Request) -> Response:
        ws = await asyncio.to_thread(studio.workspace)
        use = request.query_params.get("use", "joint-event")
        if use not in CONSENT_USES:
            use = "joint-event"
        notices: list[Notice] = []
        report = await asyncio.to_thread(consent_report, studio.manifest, use, notices=notices)
        return page(
            "consent", request, ws=ws, report=report, uses=CONSENT_USES, use=use, notices=notices
        )

    async def preview_page(request: Request) -> Response:
        ws = await asyncio.to_thread(studio.workspace)
        film = _film_file(studio, "film.mp4") or _film_file(studio, "preview.mp4")
        return page(
            "preview", request, ws=ws, data=page_json(preview_json(ws)),
            film=film.name if film else None, out_dir=studio.out_dir, uses=CONSENT_USES,
        )  # fmt: skip

    async def api_board(request: Request) -> Response:
        ws = await asyncio.to_thread(studio.workspace)
        return _json(board_json(ws))

    async def api_preview(request: Request) -> Response:
        ws = await asyncio.to_thread(studio.workspace)
        return _json(preview_json(ws))

    async def api_plan(request: Request) -> Response:
        ws = await asyncio.to_thread(studio.workspace)
        return _json(plan_json(ws))

    async def preview_vtt(request: Request) -> Response:
        ws = await asyncio.to_thread(studio.workspace)
        return Response(ws.captions_vtt, media_type="text/vtt", headers=_no_store())

    async def api_change(request: Request) -> Response:
        try:
            body = await request.json()
            expected = str(body["sha256"])
            change = _change(body["change"])
        except (ValueError, KeyError, TypeError) as error:
            return _json({"error": f"malformed change: {error}"}, 400)

        def run() -> dict[str, Any]:
            ws = studio.workspace()
            saved = board.apply_change(ws, change, expected, studio.known_text(expected))
            fresh = studio.workspace()
            return {"saved": saved.summary, "sha256": fresh.sha256, "board": board_json(fresh)}

        try:
            result = await asyncio.to_thread(run)
        except board.ManifestChanged as changed:
            return _json(
                {
                    "error": str(changed),
                    "conflict": True,
                    "diff": changed.diff,
                    "sha256": changed.current_sha256,
                },
                409,
            )
        except TriggerfilmError as error:
            return _json({"error": str(error)}, 400)
        return _json(result)

    async def api_correct(request: Request) -> Response:
        clip_id = request.path_params["clip"]
        try:
            body = await request.json()
            text = str(body["text"])
        except (ValueError, KeyError, TypeError) as error:
            return _json({"error": f"malformed correction: {error}"}, 400)
        if clip_id not in studio.workspace().transcripts:
            return _json({"error": f"no clip is called {clip_id!r}"}, 404)
        try:
            report = await asyncio.to_thread(studio.correct, clip_id, text)
        except TriggerfilmError as error:
            return _json({"error": str(error)}, 400)
        return _json(
            {
                "saved": report.to_text().strip(),
                "changed": report.words_changed,
                "coverage": report.coverage,
                "warnings": [str(n) for n in report.notices],
            }
        )

    async def media(request: Request) -> Response:
        ws = await asyncio.to_thread(studio.workspace)
        path = ws.media.get(request.path_params["clip"])
        if path is None or not path.is_file():
            return PlainTextResponse("Not found.\n", status_code=404)
        return FileResponse(path, media_type=_media_type(path), headers=_no_store())

    async def film_file(request: Request) -> Response:
        path = _film_file(studio, request.path_params["name"])
        if path is None:
            return PlainTextResponse("Not found.\n", status_code=404)
        return FileResponse(path, media_type=_media_type(path), headers=_no_store())

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in assets:
            return PlainTextResponse("Not found.\n", status_code=404)
        return Response(
            assets[name],
            media_type=_TYPES[Path(name).suffix],
            headers={"cache-control": "private, max-age=86400"},
        )

    async def start_render(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            body = {}
        job = studio.render
        if job.running:
            return _json({"error": "a render is already running"}, 409)
        use = body.get("use", "joint-event")
        if use not in CONSENT_USES:
            return _json({"error": f"unknown use '{use}'"}, 400)
        options = RenderOptions(
            preview=bool(body.get("preview", False)),
            use=use,
            transcribe=studio.options,
        )
        job.events = []
        job.running = True
        job.started = time.monotonic()
        job.thread = threading.Thread(
            target=_render, args=(studio, options), name="studio-render", daemon=True
        )
        job.thread.start()
        return _json({"started": True}, 202)

    async def render_events(request: Request) -> Response:
        job = studio.render

        async def stream() -> AsyncIterator[str]:
            sent = 0
            while True:
                while sent < len(job.events):
                    event = job.events[sent]
                    sent += 1
                    yield f"data: {json.dumps(event)}\n\n"
                if not job.running and sent >= len(job.events):
                    yield "event: end\ndata: {}\n\n"
                    return
                if await request.is_disconnected():
                    return
                await asyncio.sleep(0.2)

        headers = {"cache-control": "no-store", "x-accel-buffering": "no"}
        return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)

    async def not_found(request: Request, exc: Exception) -> Response:
        return PlainTextResponse("Not found.\n", status_code=404)

    async def problem(request: Request, exc: Exception) -> Response:
        # The manifest cannot be read (someone is halfway through editing it): say where.
        if request.url.path.startswith("/api/") or request.url.path.startswith("/media/"):
            return _json({"error": str(exc)}, 500)
        return page("problem", request, status=500, error=str(exc), ws=None)

    routes = [
        Route("/", board_page),
        Route("/clips", clips_page),
        Route("/clips/{clip}", clip_page),
        Route("/search", search_page),
        Route("/consent", consent_page),
        Route("/preview", preview_page),
        Route("/api/board", api_board),
        Route("/api/plan", api_plan),
        Route("/api/preview", api_preview),
        Route("/api/preview.vtt", preview_vtt),
        Route("/api/change", api_change, methods=["POST"]),
        Route("/api/correct/{clip}", api_correct, methods=["POST"]),
        Route("/api/render", start_render, methods=["POST"]),
        Route("/api/render/events", render_events),
        Route("/media/{clip}", media),
        Route("/film/{name}", film_file),
        Route("/static/{name}", static),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, TriggerfilmError: problem})
    return Guard(app, token=token, host=host, port=port)


def _render(studio: Studio, options: RenderOptions) -> None:
    job = studio.render
    last = [0.0]

    def progress(stage: str, done: float, total: float) -> None:
        now = time.monotonic()
        if now - last[0] < 0.2 and done < total:
            return  # the page needs a few updates a second, not every frame
        last[0] = now
        job.events.append({"stage": stage, "done": round(done, 1), "total": round(total, 1)})

    try:
        result = render_and_check(studio.manifest, studio.out_dir, options, progress)
        report = result.report
        job.events.append(
            {
                "finished": True,
                "film": f"/film/{result.film.name}",
                "captions": f"/film/{result.captions.name}",
                "duration": report.duration,
                "cues": report.cues,
                "segments": report.segments,
                "reused": report.reused,
                "warnings": [str(n) for n in report.notices],
                "findings": [dataclasses.asdict(f) for f in result.findings],
                "folder": str(report.out_dir),
            }
        )
    except TriggerfilmError as error:
        job.events.append({"error": str(error)})
    except Exception as error:  # shown on the page; the terminal gets the traceback
        job.events.append({"error": f"the render failed: {error}"})
        raise
    finally:
        job.running = False


def _film_file(studio: Studio, name: str) -> Path | None:
    if name not in FILM_FILES:
        return None
    path = studio.out_dir / name
    return path if path.is_file() else None


def _change(raw: dict[str, Any]) -> board.Change:
    kind = CHANGES[raw["kind"]]
    names = {f.name: f for f in dataclasses.fields(kind)}
    values = {}
    for key, value in raw.items():
        if key == "kind" or key not in names:
            continue
        # The change types are typed dataclasses and JSON is not: each value is coerced by its
        # field's annotation (a string: app/board.py postpones annotations), so a change runs
        # with the types it declares or is refused (int("x") is a ValueError, answered 400).
        kind_of = str(names[key].type)
        if value is not None and kind_of.startswith("int"):
            value = int(value)
        elif value is not None and kind_of.startswith("str"):
            value = str(value)
        values[key] = value
    change: board.Change = kind(**values)
    return change


def _media_type(path: Path) -> str:
    return _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "video/mp4"


def _no_store() -> dict[str, str]:
    return {"cache-control": "no-store"}


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=_no_store())
