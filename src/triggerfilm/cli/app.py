"""The command line: parses arguments and calls one use case of ``triggerfilm.app`` per command.

Commands stay thin: the use cases never see a click object, and every user-facing error is a
``TriggerfilmError`` that becomes a one-paragraph message and exit code 2. The commands live
beside this module, grouped by who uses them; this module holds the group and what they share.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import click

from .. import __version__
from ..app.notices import Notice
from ..errors import DISK_FULL_ERRNOS, DiskFullError, TriggerfilmError, terminal_safe
from ..transcripts.options import DEFAULT_MODEL, ENGINES, TranscribeOptions
from ..transcripts.whisper_models import display_name

DEFAULT_MODEL_NAME = display_name(DEFAULT_MODEL)

# A click command function, before and after an option decorator.
Command = TypeVar("Command", bound=Callable[..., Any])


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TriggerfilmError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(2)
        except OSError as error:
            # A full disk can strike any write, including ones no stage wraps (a library's
            # own file, a progress bar): it is the user's to fix, never a traceback.
            if error.errno not in DISK_FULL_ERRNOS:
                raise
            click.echo(f"error: {DiskFullError.from_os_error(error)}", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="triggerfilm")
def cli() -> None:
    """Build captioned trigger films for Experience-Based Co-Design.

    A manifest (YAML) lists the filmed narratives and the touchpoints of the care pathway, each
    with the passages to show. triggerfilm transcribes the narratives offline with Whisper,
    resolves the passages to times, and renders one captioned film for the joint event.
    """


def transcribe_options(f: Command) -> Command:
    """The Whisper options shared by every command that may transcribe."""
    f = choice_option(
        "--engine", list(ENGINES), "Speech recogniser. openai-whisper needs the optional extra."
    )(f)
    f = click.option(
        "--model",
        default=None,
        help="tiny (tiny.en, bundled), base (Whisper base, installed with triggerfilm; both "
        "offline), a local model folder or file, or a model name the engine may download when "
        "a network exists. [default: the manifest's transcription.model, else "
        f"$TRIGGERFILM_MODEL, else {DEFAULT_MODEL_NAME}]",
    )(f)
    f = click.option("--language", default="en", show_default=True, help="Spoken language.")(f)
    f = click.option("--beam-size", default=5, show_default=True, type=click.IntRange(1, 20))(f)
    # CTranslate2 crashes the whole process (a segfault, no message) when asked for ~100000.
    f = click.option(
        "--threads",
        default=0,
        type=click.IntRange(0, 256),
        help="CPU threads (0: engine decides).",
    )(f)
    return f


# The parameters transcribe_options declares, as the command receives them.
TRANSCRIBE_PARAMETERS = ("engine", "model", "language", "beam_size", "threads")


def transcribe_settings(
    engine: str, model: str, language: str | None, beam_size: int, threads: int
) -> TranscribeOptions:
    return TranscribeOptions(
        engine=engine,
        model=model or "",
        language=language or None,
        beam_size=beam_size,
        threads=threads,
    )


class Bars:
    """One tqdm bar per pipeline stage, on stderr so stdout stays clean for data."""

    UNITS = {
        "clips": ("Clips", "clips"),
        "transcribe": ("Transcribing", "s audio"),
        "render": ("Rendering", "segments"),
        "embed": ("Embedding", "sentences"),
        "thumbnails": ("Thumbnails", "frames"),
    }

    def __init__(self) -> None:
        self.bars: dict[str, Any] = {}

    def __call__(self, stage: str, done: float, total: float) -> None:
        from tqdm import tqdm

        if stage not in self.bars:
            label, unit = self.UNITS.get(stage, (stage, "items"))
            self.bars[stage] = tqdm(
                total=round(total, 1),
                desc=label,
                unit=unit,
                leave=True,
                file=sys.stderr,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} {unit} "
                "[{elapsed}<{remaining}]",
            )
        bar = self.bars[stage]
        bar.n = min(round(done, 1), bar.total)
        bar.refresh()
        if bar.n >= bar.total:
            bar.close()  # stops the clock, so the next stage's bar starts clean

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()

    # A context manager, so a failing use case still leaves the terminal with its bars closed
    # (tqdm would otherwise redraw over the error message).
    def __enter__(self) -> Bars:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def echo_notices(notices: Iterable[Notice]) -> None:
    """Every use case's warnings, one format: ``warning: TOPIC: WHERE: MESSAGE`` on stderr.

    Each distinct notice once: a use case may read the same archive twice (its clips, then the
    rest of its catalogue) and notice the same thing both times. Catalogue and URL text can
    hold control characters, so what is printed is made safe for a terminal."""
    for notice in dict.fromkeys(notices):
        click.echo(f"warning: {terminal_safe(str(notice))}", err=True)


def choice_option(
    flag: str, choices: list[str], help: str, default: str | None = None, name: str | None = None
) -> Callable[[Command], Command]:
    """An option taking one of ``choices``, the first by default, shown in ``--help``."""
    names = [flag] if name is None else [flag, name]
    return click.option(
        *names,
        type=click.Choice(choices),
        default=default or choices[0],
        show_default=True,
        help=help,
    )
