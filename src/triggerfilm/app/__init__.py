"""The use cases: what a user can do with triggerfilm, as typed functions.

Faces (the command line, the studio) parse input, call one function here, and present what it
returns. Each use case strings stages together in order, reports progress through one
:class:`~.notices.Progress` callback, and returns warnings as :class:`~.notices.Notice` values
on its result; none prints. No stage imports ``app``, and :class:`~.prepare.Prepared` does not
leave it.
"""

from .consent import PackReport, consent_report, make_pack, verify_outputs, withdraw_consent
from .editing import (
    ApplyReport,
    add_hit,
    apply_cutsheet_file,
    plan_report,
    search_clips,
    write_cutsheet_file,
)
from .notices import Notice, Progress
from .prepared import (
    Prepared,
    TranscribeReport,
    plan,
    planned,
    prepare,
    transcribe_all,
    transcribe_manifest,
    transcript_text,
)
from .render import RenderOptions, RenderReport, approval_pack, render_manifest
from .review import review_manifest

__all__ = [
    "ApplyReport", "Notice", "PackReport", "Prepared", "Progress", "RenderOptions",
    "RenderReport", "TranscribeReport", "add_hit", "apply_cutsheet_file", "approval_pack",
    "consent_report", "make_pack", "plan", "plan_report", "planned", "prepare",
    "render_manifest", "review_manifest", "search_clips", "transcribe_all",
    "transcribe_manifest", "transcript_text", "verify_outputs",
    "withdraw_consent", "write_cutsheet_file",
]  # fmt: skip
