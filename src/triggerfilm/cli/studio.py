"""The studio: the film built in a local web page, over the same manifest."""

from __future__ import annotations

import webbrowser
from pathlib import Path
from typing import Any

import click

from .app import Bars, cli, transcribe_options, transcribe_settings
from .options import manifest_argument, output_folder, target_option


@cli.command("studio")
@manifest_argument
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    help="Port to listen on [default: any free port].",
)
@click.option("--no-browser", is_flag=True, help="Print the address but do not open a browser.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but this machine's loopback exposes the interviews "
    "to the network (the key still guards them); a warning is printed.",
)
@output_folder("out/<manifest name>, as `render`", "Where Render writes the film")
@target_option("The film's target length in minutes, for the plan.")
@transcribe_options
def studio_command(
    manifest: Path,
    port: int,
    no_browser: bool,
    host: str,
    out_dir: Path | None,
    target: float,
    **opts: Any,
) -> None:
    """Open MANIFEST in the studio: a web page on this computer to read the narratives, select
    passages by highlighting them, arrange touchpoints, preview and render the film.

    Nothing leaves the machine: the page, its scripts and the media are served from here, on
    the loopback address, to the browser holding the key in the printed address. Every change
    is saved to MANIFEST at once, keeping its comments; the command line can be used beside it.
    Clips not yet transcribed are transcribed first. Stop it with Ctrl+C.
    """
    from ..studio import StudioServer

    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"warning: listening on {host}, not on the loopback address: other computers on "
            "the network can reach the studio (it still needs the key in the address).",
            err=True,
        )
    server = StudioServer(
        manifest,
        host=host,
        port=port,
        out_dir=out_dir,
        options=transcribe_settings(**opts),
        target_minutes=target,
    )
    with Bars() as bars:
        server.studio.workspace(progress=bars)  # transcribe what is missing before serving
    click.echo(f"triggerfilm studio for {manifest}")
    click.echo(f"  {server.url}")
    click.echo("Open that address (it holds this session's key). Stop with Ctrl+C.")
    if not no_browser:
        webbrowser.open(server.url)
    server.run()  # uvicorn stops cleanly on Ctrl+C
