"""The arguments and options several commands take, defined once so that every command spells
and explains them the same way: the files and folders a command reads and writes, the film's
target length, the output format, and where the film will be shown."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from .. import app
from ..manifest.model import CONSENT_USES
from ..render.film import OutputFolderTaken
from ..render.outputs import OutputFolderError
from .app import TRANSCRIBE_PARAMETERS, Command, choice_option, transcribe_settings

# A film-making command, as film_options hands it on: its signature changes (``options`` in
# place of the options it gathers), so it is no longer a ``Command``.
Film = Callable[..., None]

# The MANIFEST argument most commands take.
manifest_argument = click.argument("manifest", type=click.Path(dir_okay=False, path_type=Path))


def output_folder(default: str, what: str = "Output folder") -> Callable[[Command], Command]:
    """``-o/--output``: the folder a command writes its files into."""
    return click.option(
        "-o",
        "--output",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        help=f"{what} (default: {default}).",
    )


# The command-line parameters that set the RenderOptions field of the same name.
_RENDER_FIELDS = ("preset", "use", "loudness", "touchpoint", "preview")


def film_options(default: str, what: str = "Output folder") -> Callable[[Film], Film]:
    """``-o/--output`` and ``--force`` for a command that renders a film, and the one place
    where the command's film options become an ``app.RenderOptions``.

    The command declares its other film options with their own decorators (``--preset``,
    ``--use``, the transcription options, render's ``--no-burn-in``, ``--loudness``,
    ``--touchpoint``, ``--preview``), so each keeps its place in ``--help``. It is called
    with one ``options`` in place of them all, with ``out_dir`` (None: the command's default
    folder) and its own parameters as they are, and under :func:`film_folder_hints`.
    """
    force = click.option("--force", is_flag=True, help="Replace a film made from another manifest.")

    def decorate(command: Film) -> Film:
        @functools.wraps(command)
        def run(*, force: bool, **params: Any) -> None:
            fields = {name: params.pop(name) for name in _RENDER_FIELDS if name in params}
            if "no_burn_in" in params:
                fields["burn_in"] = not params.pop("no_burn_in")
            transcribe = {name: params.pop(name) for name in TRANSCRIBE_PARAMETERS}
            options = app.RenderOptions(
                force=force, transcribe=transcribe_settings(**transcribe), **fields
            )
            with film_folder_hints():
                command(options=options, **params)

        return output_folder(default, what)(force(run))

    return decorate


@contextmanager
def film_folder_hints() -> Iterator[None]:
    """Say how, on the command line, another output folder is chosen: the render's own hints
    ("choose another output folder") are written for every face."""
    try:
        yield
    except OutputFolderTaken as error:
        error.hint = "Choose another folder with -o, or pass --force to replace it"
        raise
    except OutputFolderError as error:
        error.hint = f"{error.hint} (-o chooses the output folder)" if error.hint else None
        raise


def file_option(*names: str, help: str, required: bool = False) -> Callable[[Command], Command]:
    """An option naming one file, read (``--media``) or written (``--fix OUT``, ``-o``)."""
    kind = click.Path(dir_okay=False, path_type=Path)
    return click.option(*names, type=kind, required=required, help=help)


# The x264 preset of every command that encodes a film.
preset_option = click.option(
    "--preset",
    default="veryfast",
    show_default=True,
    help="x264 speed/size preset (ultrafast … veryslow).",
)


def limit_option(flag: str, default: int, help: str) -> Callable[[Command], Command]:
    """An upper limit (``--limit`` hits, ``--max-size`` MiB): a whole number from 1."""
    limit = click.IntRange(min=1)
    return click.option(flag, type=limit, default=default, show_default=True, help=help)


def target_option(help: str) -> Callable[[Command], Command]:
    """``--target``: the film's target length in minutes, which the plan measures against."""
    minutes = click.FloatRange(min=0, min_open=True)
    return click.option("--target", type=minutes, default=30.0, show_default=True, help=help)


def format_option(choices: list[str], help: str) -> Callable[[Command], Command]:
    """``--format``: how a command prints its result; the first choice is the default."""
    return choice_option("--format", choices, help, name="fmt")


# Where the film will be shown: consent is checked for this use.
use_choice = choice_option(
    "--use",
    list(CONSENT_USES),
    "Where the film will be shown; clips whose consent does not cover it are refused.",
    default="joint-event",
)


def use_option(f: Command) -> Command:
    """--use, and --date to check consent as on another day."""
    f = click.option(
        "--date",
        "on",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        help="Check consent as on this day, e.g. the event's date [default: today].",
    )(f)
    return use_choice(f)
