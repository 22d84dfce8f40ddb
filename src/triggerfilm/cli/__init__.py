"""The ``triggerfilm`` command; see :mod:`triggerfilm.cli.app`."""

from . import (  # noqa: F401  (registers the commands)
    checking,
    consent,
    corrections,
    editors,
    film,
    indexing,
    selecting,
    studio,
)
from .app import cli


def main() -> None:
    cli()


__all__ = ["cli", "main"]
