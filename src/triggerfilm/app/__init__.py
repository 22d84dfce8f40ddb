"""The use cases: what a user can do with triggerfilm, as typed functions.

Faces (the command line, the studio) parse input, call one function here, and present what it
returns. Each use case strings stages together in order, reports progress through one
:class:`~.notices.Progress` callback, and returns warnings as :class:`~.notices.Notice` values
on its result; none prints. No stage imports ``app``, and :class:`~.prepared.Prepared` does not
leave it.
"""

from .consent import PackReport, consent_report, make_pack, verify_outputs, withdraw_consent
from .corrections import CorrectionReport, correct_clip, correction_document
from .event import EventPackReport, event_pack
from .interchange import ExportReport, ImportReport, export_edit, import_edit
from .models import OfflineModel, export_openai_checkpoint, offline_models
from .notices import Notice, Progress
from .prepared import (
    Prepared,
    TranscribeReport,
    plan,
    planned,
    prepare,
    transcribe_all,
    transcript_text,
)
from .project import start_project
from .render import RenderOptions, RenderReport, approval_pack, render_manifest
from .replay import render_saved_timeline
from .review import review_manifest
from .selecting import (
    ApplyReport,
    add_hit,
    apply_cutsheet_file,
    plan_report,
    search_clips,
    write_cutsheet_file,
)
from .signoff import SignoffReport, sign_off_captions
from .subtitles import (
    FixOutcome,
    OverwritesChecked,
    QcOutcome,
    caption_qc_report,
    check_subtitle_file,
    fix_subtitle_file,
)
from .transcription import transcribe_target

__all__ = [
    "ApplyReport", "CorrectionReport", "FixOutcome", "Notice", "PackReport", "Prepared",
    "Progress", "QcOutcome", "RenderOptions", "RenderReport", "SignoffReport",
    "TranscribeReport", "add_hit", "apply_cutsheet_file", "approval_pack", "caption_qc_report",
    "check_subtitle_file", "consent_report", "correct_clip", "correction_document",
    "fix_subtitle_file", "make_pack", "plan", "plan_report", "planned", "prepare",
    "render_manifest", "review_manifest", "search_clips", "sign_off_captions",
    "transcribe_all", "transcribe_target", "transcript_text", "verify_outputs",
    "withdraw_consent", "write_cutsheet_file",
    # Editors and events: app/interchange.py, app/replay.py, app/event.py
    "EventPackReport", "ExportReport", "ImportReport", "event_pack", "export_edit",
    "import_edit", "render_saved_timeline",
    # Starting a project and the models: app/project.py, app/models.py
    "OfflineModel", "export_openai_checkpoint", "offline_models", "start_project",
    # Refusals a face adds its own hint to
    "OverwritesChecked",
]  # fmt: skip
