"""The arguments and options several commands take, defined once so that every command spells
and explains them the same way: the files and folders a command reads and writes, the film's
target length, the output format, and where the film will be shown."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from ..manifest.model import CONSENT_USES
from ..render.film import OutputFolderTaken
from ..render.outputs import OutputFolderError
from .app import Command, choice_option

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


def film_folder(default: str, what: str = "Output folder") -> Callable[[Command], Command]:
    """``-o/--output`` and ``--force``: a folder a film is written into, which is never taken
    over from another manifest's film unless the user says so."""
    force = click.option("--force", is_flag=True, help="Replace a film made from another manifest.")

    def decorate(f: Command) -> Command:
        return output_folder(default, what)(force(f))

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
