"""The ``triggerfilm`` command; see :mod:`triggerfilm.cli.app`."""

from . import checking, consent, editing, film, indexing  # noqa: F401  (registers the commands)
from .app import cli


def main() -> None:
    cli()


__all__ = ["cli", "main"]
