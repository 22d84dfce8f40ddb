"""The film options every film-making command shares (cli/options.py: film_options): declared
by the command's own decorators, gathered into one RenderOptions in one place."""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.testing import CliRunner

from triggerfilm.app import RenderOptions
from triggerfilm.cli.app import transcribe_options
from triggerfilm.cli.options import film_options, preset_option, use_choice
from triggerfilm.render.film import MARKER, OutputFolderTaken, check_output_folder


def _command(received: dict) -> click.Command:
    """A film command as render declares one, which keeps what film_options hands it."""

    @click.command()
    @film_options("out/<manifest name>")
    @click.option("--no-burn-in", is_flag=True)
    @click.option("--loudness", default="broadcast")
    @click.option("--touchpoint")
    @click.option("--preview", is_flag=True)
    @click.option("--name", default="film")
    @use_choice
    @preset_option
    @transcribe_options
    def film(out_dir: Path | None, name: str, options: RenderOptions) -> None:
        received.update(out_dir=out_dir, name=name, options=options)
        # The stage's own refusal, so the command line's hint on it can be seen.
        check_output_folder(out_dir or Path("."), f"{name}.yaml", options.force)

    return film


def test_every_film_option_reaches_the_render_options(tmp_path):
    received: dict = {}
    args = ["-o", str(tmp_path), "--force", "--no-burn-in", "--loudness", "web"]
    args += ["--touchpoint", "2", "--preview", "--use", "training", "--preset", "ultrafast"]
    args += ["--beam-size", "3", "--language", "cy", "--threads", "4", "--name", "mine"]
    result = CliRunner().invoke(_command(received), args)
    assert result.exit_code == 0, result.output
    options = received["options"]
    assert (received["out_dir"], received["name"]) == (tmp_path, "mine")
    assert options == RenderOptions(
        burn_in=False,
        force=True,
        preset="ultrafast",
        loudness="web",
        use="training",
        touchpoint="2",
        preview=True,
        transcribe=options.transcribe,
    )
    transcribe = options.transcribe
    assert (transcribe.beam_size, transcribe.language, transcribe.threads) == (3, "cy", 4)


def test_film_options_left_out_keep_their_defaults(tmp_path):
    received: dict = {}
    result = CliRunner().invoke(_command(received), [])
    assert result.exit_code == 0, result.output
    assert received["out_dir"] is None
    assert received["options"] == RenderOptions(transcribe=received["options"].transcribe)


def test_a_taken_output_folder_is_answered_with_the_command_lines_options(tmp_path):
    (tmp_path / MARKER).write_text(json.dumps({"manifest": "other.yaml"}), encoding="utf-8")
    result = CliRunner().invoke(_command({}), ["-o", str(tmp_path)])
    assert isinstance(result.exception, OutputFolderTaken)
    assert result.exception.hint == "Choose another folder with -o, or pass --force to replace it"
    assert CliRunner().invoke(_command({}), ["-o", str(tmp_path), "--force"]).exit_code == 0
